package dev.cachalot.conformance.client;

import dev.cachalot.conformance.http.FieldList;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A response the cache under test sent to the suite's client.
 *
 * @param status status code (0 when the cache closed the connection without a response)
 * @param headers header fields in order
 * @param body decoded body
 * @param complete whether the body ended where its framing said (false for a cut connection)
 * @param firstByteMillis time from sending the request to the first response byte
 * @param totalMillis time from sending the request to the end of the body
 * @param rawHead the status line and header section exactly as received (ISO-8859-1)
 */
public record Response(int status, List<String[]> headers, byte[] body, boolean complete, long firstByteMillis,
                       long totalMillis, String rawHead) implements FieldList {

    /** A response standing for "the connection was closed or reset without a status line". */
    public static Response none(long millis) {
        return new Response(0, List.of(), new byte[0], false, millis, millis, "");
    }

    /** All values of a field joined with ", " (RFC 9110 §5.3), or null when absent. */
    public String joined(String name) {
        List<String> v = headers(name);
        return v.isEmpty() ? null : String.join(", ", v);
    }

    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** Short description for transcripts. */
    public String summary() {
        if (status == 0) {
            return "no response (connection closed)";
        }
        StringBuilder sb = new StringBuilder().append(status);
        for (String n : new String[] {"Age", "Cache-Control", "ETag", "Cache-Status", "Content-Length"}) {
            String v = joined(n);
            if (v != null) {
                sb.append(" [").append(n).append(": ").append(v).append(']');
            }
        }
        String t = text();
        if (body.length > 0 && body.length <= 64 && t.chars().allMatch(ch -> ch >= 32 && ch < 127)) {
            sb.append(" body=\"").append(t).append('"');
        } else if (body.length > 0) {
            sb.append(" body=").append(body.length).append(" bytes");
        }
        return sb.toString();
    }
}
