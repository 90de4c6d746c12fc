package dev.cachalot.policy;

/**
 * delta-seconds (RFC 9111 §1.2.2): a non-negative integer number of seconds. Values too large to
 * represent, and overflowing calculations, become {@link #MAX} (2^31) as the RFC requires.
 */
public final class DeltaSeconds {
    private DeltaSeconds() {}

    /** 2147483648 (2^31): the value an overflowing delta-seconds is considered to be (RFC 9111 §1.2.2). */
    public static final long MAX = 2147483648L;

    /** Marker for "not present / invalid" in directive fields. */
    public static final long ABSENT = -1L;

    /**
     * Parses {@code 1*DIGIT}; returns {@link #ABSENT} when the text is not delta-seconds (empty,
     * signed, fractional, other characters), and {@link #MAX} when it is larger than 2^31.
     */
    public static long parse(String text) {
        if (text == null || text.isEmpty()) {
            return ABSENT;
        }
        long v = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return ABSENT;
            }
            if (v < MAX) {
                v = v * 10 + (c - '0');
            }
        }
        return Math.min(v, MAX);
    }

    /** Clamps a computed number of seconds into [0, 2^31] (RFC 9111 §1.2.2 overflow rule). */
    public static long clamp(long seconds) {
        return seconds < 0 ? 0 : Math.min(seconds, MAX);
    }

    /** Adds two non-negative second counts, saturating at 2^31. */
    public static long add(long a, long b) {
        long s = a + b;
        return (s < 0 || s > MAX) ? MAX : s;
    }
}
