package dev.cachalot.conformance.origin;

import dev.cachalot.conformance.http.FieldList;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * One request as the scripted origin received it: the parsed head, the body and the exact bytes of the head,
 * so tests can assert what the cache forwarded (conditional headers, hop-by-hop removal, framing).
 *
 * @param method request method
 * @param target request-target exactly as sent
 * @param version protocol version, e.g. {@code HTTP/1.1}
 * @param headers header fields in arrival order (name, value), names as received
 * @param body decoded request body (empty when none)
 * @param rawHead the request line and header section bytes, as received
 * @param sequence 1-based index of this request among the requests of its test
 * @param connectionId identifier of the origin connection the request arrived on
 */
public record RecordedRequest(String method, String target, String version, List<String[]> headers, byte[] body,
                              byte[] rawHead, int sequence, long connectionId) implements FieldList {

    /** Returns the path part of the target after the test's prefix ("/t/id/nonce"), or the whole path. */
    public String localPath() {
        String path = target;
        int scheme = path.indexOf("://");
        if (scheme >= 0) {
            int slash = path.indexOf('/', scheme + 3);
            path = slash < 0 ? "/" : path.substring(slash);
        }
        if (path.startsWith("/t/")) {
            int a = path.indexOf('/', 3);
            int b = a < 0 ? -1 : path.indexOf('/', a + 1);
            return b < 0 ? "/" : path.substring(b);
        }
        return path;
    }

    /** Body as UTF-8 text. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** A one-line description for transcripts. */
    public String summary() {
        StringBuilder sb = new StringBuilder(method).append(' ').append(localPath());
        for (String[] h : headers) {
            String n = h[0].toLowerCase(Locale.ROOT);
            if (n.startsWith("if-") || n.equals("range") || n.equals("cache-control") || n.equals("authorization")) {
                sb.append(" [").append(h[0]).append(": ").append(h[1]).append(']');
            }
        }
        return sb.toString();
    }
}
