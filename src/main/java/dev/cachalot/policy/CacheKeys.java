package dev.cachalot.policy;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.RequestHead;
import dev.cachalot.http.ResponseHead;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Cache keys. The primary key (RFC 9111 §2) is scheme + authority + path + query of the target
 * URI: scheme and host lower-cased, the scheme's default port removed, path and query kept exactly
 * (they are case-sensitive and percent-encoding is not normalised). GET and HEAD share a key, so
 * HEAD is answered from a stored GET. No request header is part of the primary key, so headers like
 * X-Forwarded-Host cannot poison it (and {@link ForwardedFields} never forwards them).
 */
public final class CacheKeys {
    private CacheKeys() {}

    /** The primary key as text: {@code scheme://host[:port]/path?query}. */
    public static String primary(RequestHead request) {
        return primary(request.scheme(), request.authority(), request.target());
    }

    /** The primary key from URI parts. */
    public static String primary(String scheme, String authority, String target) {
        String s = scheme.toLowerCase(Locale.ROOT);
        String a = normalizeAuthority(s, authority);
        String t = target.isEmpty() ? "/" : target;
        return s + "://" + a + t;
    }

    /** The primary key as UTF-8 bytes, for stores keyed by bytes. */
    public static byte[] primaryBytes(RequestHead request) {
        return primary(request).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Lower-cases the host and drops the default port of the scheme (RFC 3986 §6.2.3), remembering
     * the answers for the first {@link #KNOWN_AUTHORITIES} authorities of http and https (a proxy
     * sees few hosts, each on every request; a flood of new ones is just computed each time).
     */
    static String normalizeAuthority(String scheme, String authority) {
        Map<String, String> known = "http".equals(scheme) ? HTTP_AUTHORITIES
                : "https".equals(scheme) ? HTTPS_AUTHORITIES : null;
        if (known == null) {
            return normalizeAuthority0(scheme, authority);
        }
        String a = known.get(authority);
        if (a == null) {
            a = normalizeAuthority0(scheme, authority);
            if (known.size() < KNOWN_AUTHORITIES) {
                known.put(authority, a);
            }
        }
        return a;
    }

    /** Normalised authorities remembered per scheme. */
    static final int KNOWN_AUTHORITIES = 1024;
    private static final Map<String, String> HTTP_AUTHORITIES = new ConcurrentHashMap<>();
    private static final Map<String, String> HTTPS_AUTHORITIES = new ConcurrentHashMap<>();

    private static String normalizeAuthority0(String scheme, String authority) {
        String a = authority;
        int at = a.lastIndexOf('@');
        if (at >= 0) {
            a = a.substring(at + 1); // userinfo is never part of an HTTP cache key
        }
        String host = a;
        String port = null;
        int colon = a.lastIndexOf(':');
        int bracket = a.lastIndexOf(']');
        if (colon > bracket) {
            host = a.substring(0, colon);
            port = a.substring(colon + 1);
        }
        host = host.toLowerCase(Locale.ROOT);
        if (port == null || port.isEmpty() || ("http".equals(scheme) && port.equals("80"))
                || ("https".equals(scheme) && port.equals("443"))) {
            return host;
        }
        return host + ":" + port;
    }

    /**
     * The variant key of a response stored for a request: the response's Vary names (sorted) with
     * the request's normalised selecting values ("" when there is no Vary). Absent fields are
     * marked distinctly from empty ones. Null for {@code Vary: *}, which never matches.
     */
    public static String variant(ResponseHead response, RequestHead request) {
        return variant(VaryNormalizer.varyNames(response.headers()), request.headers());
    }

    /** The variant key from a Vary name list and the request (or stored selecting) fields. */
    public static String variant(List<String> varyNames, HeaderFields requestFields) {
        if (varyNames.contains("*")) {
            return null;
        }
        if (varyNames.isEmpty()) {
            return "";
        }
        List<String> names = new ArrayList<>(varyNames);
        Collections.sort(names);
        StringBuilder sb = new StringBuilder();
        for (String n : names) {
            String v = VaryNormalizer.normalize(n, requestFields.all(n));
            sb.append(n);
            if (v == null) {
                sb.append('\u0000'); // absent
            } else {
                sb.append('=').append(v);
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** The variant key of a stored response, from its own Vary and stored selecting fields. */
    public static String variant(StoredResponse stored) {
        return variant(VaryNormalizer.varyNames(stored.head().headers()), stored.selectingHeaders());
    }
}
