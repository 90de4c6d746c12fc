package dev.cachalot.ratelimit;

/**
 * One token-bucket limit: {@code rate} requests per second on average, at most {@code burst} at
 * once after a quiet period. Held as integer nanoseconds so the bucket maths is exact: the
 * emission interval is rounded up, so the rate actually enforced is never above {@code rate}.
 *
 * @param rate  requests per second, at least 0.001
 * @param burst bucket size (requests admitted back to back when the bucket is full), at least 1
 */
public record RateLimit(double rate, int burst) {
    /** The smallest rate accepted: one request per 1000 s. */
    public static final double MIN_RATE = 0.001;
    /** The largest burst accepted (keeps every nanosecond sum far from overflow). */
    public static final int MAX_BURST = 1_000_000;

    public RateLimit {
        if (!(rate >= MIN_RATE && rate <= 1e9)) {
            throw new IllegalArgumentException("rate must be between " + MIN_RATE + " and 1e9 requests/s, was " + rate);
        }
        if (burst < 1 || burst > MAX_BURST) {
            throw new IllegalArgumentException("burst must be between 1 and " + MAX_BURST + ", was " + burst);
        }
    }

    /** Nanoseconds between two tokens: 1e9 / rate, rounded up. */
    public long intervalNanos() {
        return Math.max(1, (long) Math.ceil(1e9 / rate));
    }

    /** How far ahead of now the bucket's theoretical arrival time may run: (burst - 1) intervals. */
    long toleranceNanos() {
        return (burst - 1L) * intervalNanos();
    }

    /** "5 requests/s (burst 10)". */
    public String describe() {
        String r = rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
        return r + " requests/s (burst " + burst + ")";
    }
}
