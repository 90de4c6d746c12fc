package dev.cachalot.purge;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.RequestHead;
import java.util.Locale;

/**
 * Turns an absolute {@code http://} or {@code https://} URL given to the purge API into the
 * request head whose cache key it names. The URL is split, not normalised: the key itself is built
 * by the pipeline's code ({@code StoreAdapter.primaryKey}, i.e. policy's {@code CacheKeys}), which
 * lower-cases scheme and host, drops the default port and keeps path and query byte for byte, as
 * it does for every client request.
 */
final class PurgeUrls {
    private PurgeUrls() {}

    /**
     * A GET request head for {@code url}.
     *
     * @throws IllegalArgumentException naming the URL and the rule it breaks
     */
    static RequestHead requestFor(String url) {
        if (url == null || url.isEmpty()) {
            throw new IllegalArgumentException("url is missing");
        }
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c <= 0x20 || c == 0x7f || c > 0x7e) {
                throw new IllegalArgumentException("url must not contain spaces, control or non-ASCII characters"
                        + " (percent-encode them as the clients do): " + url);
            }
        }
        int sep = url.indexOf("://");
        if (sep <= 0) {
            throw new IllegalArgumentException("url must be absolute (http://host/path or https://host/path): " + url);
        }
        String scheme = url.substring(0, sep).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("url scheme must be http or https: " + url);
        }
        if (url.indexOf('#') >= 0) {
            // RFC 9110 §4.2.5: a fragment is never sent, so it is never part of a cache key.
            throw new IllegalArgumentException("url must not have a fragment (#...): " + url);
        }
        String rest = url.substring(sep + 3);
        int end = 0;
        while (end < rest.length() && rest.charAt(end) != '/' && rest.charAt(end) != '?') {
            end++;
        }
        String authority = rest.substring(0, end);
        if (authority.isEmpty() || authority.indexOf('@') >= 0) {
            throw new IllegalArgumentException("url must name a host (and no user info): " + url);
        }
        String target = rest.substring(end);
        if (target.isEmpty()) {
            target = "/";
        } else if (target.charAt(0) == '?') {
            target = "/" + target; // RFC 9112 §3.2.1: an empty path is sent as "/"
        }
        return new RequestHead("GET", scheme, authority, target, "HTTP/1.1",
                HeaderFields.builder().add("Host", authority).build());
    }
}
