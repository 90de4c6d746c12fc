package dev.cachalot.purge;

import dev.cachalot.policy.CacheKeys;
import dev.cachalot.http.RequestHead;
import java.util.Locale;

/**
 * The values purges select by, normalised the way the cache keys are built, and the parts of a
 * cache key ({@code scheme://host[:port]/path?query}, policy's {@link CacheKeys}) they are
 * compared with.
 */
final class BanTargets {
    /** Longest tag, prefix or host accepted (a ban value is kept in memory and in the ban file). */
    static final int MAX_VALUE_LENGTH = 2048;

    private BanTargets() {}

    /**
     * The normalised form of a purge value.
     * <ul>
     *   <li>tag: as given (tags are case-sensitive); one tag, without spaces or commas, since
     *       those separate tags in the tag fields;</li>
     *   <li>prefix: an absolute http(s) URL prefix, normalised like a cache key (scheme and host
     *       lower-case, default port dropped, an empty path is "/"; path and query kept byte for
     *       byte), so it is compared with keys as text;</li>
     *   <li>host: a host name or IP literal (IPv6 in brackets), without scheme, port or path;
     *       lower-cased, a trailing dot removed.</li>
     * </ul>
     *
     * @throws IllegalArgumentException naming the value and the rule it breaks
     */
    static String normalize(BanKind kind, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(kind.word() + " must be a non-empty string");
        }
        if (value.length() > MAX_VALUE_LENGTH) {
            throw new IllegalArgumentException(kind.word() + " is longer than " + MAX_VALUE_LENGTH + " characters");
        }
        switch (kind) {
            case TAG:
                for (int i = 0; i < value.length(); i++) {
                    char c = value.charAt(i);
                    if (c <= 0x20 || c == 0x7f || c == ',') {
                        throw new IllegalArgumentException("tag must be one tag without spaces, commas or control"
                                + " characters (they separate tags in the tag fields): '" + value + "'");
                    }
                }
                return value;
            case PREFIX: {
                RequestHead h;
                try {
                    h = PurgeUrls.requestFor(value);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("prefix " + e.getMessage().replaceFirst("^url ", ""));
                }
                return CacheKeys.primary(h);
            }
            case HOST: {
                String v = value.toLowerCase(Locale.ROOT);
                if (v.endsWith(".")) {
                    v = v.substring(0, v.length() - 1);
                }
                boolean ipv6 = v.startsWith("[") && v.endsWith("]") && v.length() > 2;
                for (int i = 0; i < v.length(); i++) {
                    char c = v.charAt(i);
                    boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_'
                            || (ipv6 && (c == ':' || c == '[' || c == ']'));
                    if (!ok) {
                        throw new IllegalArgumentException("host must be a host name or IP address without scheme,"
                                + " port or path, such as www.example.com or [::1]: '" + value + "'");
                    }
                }
                if (v.isEmpty()) {
                    throw new IllegalArgumentException("host must be a host name, got '" + value + "'");
                }
                return v;
            }
            default:
                throw new IllegalStateException("unknown kind " + kind);
        }
    }

    /** The authority of a cache key ("host[:port]"), or "" when the key has no "://". */
    static String authorityOf(String key) {
        int s = key.indexOf("://");
        if (s < 0) {
            return "";
        }
        int start = s + 3;
        int end = start;
        while (end < key.length() && key.charAt(end) != '/' && key.charAt(end) != '?') {
            end++;
        }
        return key.substring(start, end);
    }

    /** The host of a cache key: its authority without the port (already lower-case in keys). */
    static String hostOf(String key) {
        String a = authorityOf(key);
        int colon = a.lastIndexOf(':');
        int bracket = a.lastIndexOf(']');
        return colon > bracket ? a.substring(0, colon) : a;
    }
}
