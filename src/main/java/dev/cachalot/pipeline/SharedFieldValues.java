package dev.cachalot.pipeline;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Shares the text of header field values that repeat across stored responses, so that a memory-tier
 * entry does not hold its own copy of {@code text/html; charset=utf-8}, {@code bytes} or
 * {@code Accept-Encoding}: about 40 bytes of heap per field for each of a typical response's
 * half-dozen low-cardinality fields. Only the fields listed here are shared, because their values
 * come from a small set per site; per-object values (ETag, Date, Last-Modified, Content-Length)
 * are never entered. The table is bounded ({@value #MAX_VALUES} values of at most
 * {@value #MAX_LENGTH} characters); once full, values are kept as they are. Sharing changes no
 * text, only which String object holds it.
 */
final class SharedFieldValues {
    static final int MAX_VALUES = 4096;
    static final int MAX_LENGTH = 128;

    /** Fields whose values repeat across responses (lower case). */
    private static final Set<String> LOW_CARDINALITY = Set.of("content-type", "cache-control", "accept-ranges",
            "vary", "server", "content-encoding", "content-language", "connection", "via", "pragma",
            "access-control-allow-origin", "x-content-type-options", "x-frame-options", "referrer-policy",
            "strict-transport-security", "cross-origin-resource-policy", "timing-allow-origin", "x-xss-protection",
            "surrogate-control", "cdn-cache-control", "x-powered-by", "accept-encoding", "accept-language");

    private static final ConcurrentHashMap<String, String> VALUES = new ConcurrentHashMap<>();

    private SharedFieldValues() {}

    /** The shared instance equal to {@code value} when field {@code name} is a shared one, else {@code value}. */
    static String shared(String name, String value) {
        if (value.length() > MAX_LENGTH || !LOW_CARDINALITY.contains(name.toLowerCase(Locale.ROOT))) {
            return value;
        }
        String s = VALUES.get(value);
        if (s != null) {
            return s;
        }
        if (VALUES.size() >= MAX_VALUES) {
            return value;
        }
        s = VALUES.putIfAbsent(value, value);
        return s == null ? value : s;
    }
}
