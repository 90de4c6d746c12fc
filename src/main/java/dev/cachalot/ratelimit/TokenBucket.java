package dev.cachalot.ratelimit;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One token bucket, kept as the generic cell rate algorithm (GCRA, ITU-T I.371): a single
 * "theoretical arrival time" (TAT) on the caller's nanosecond ticker instead of a token count and
 * a refill timestamp. A full bucket is TAT at or before now; each admitted request pushes TAT one
 * interval further; a request is refused while TAT runs more than (burst - 1) intervals ahead of
 * now. That is exactly a token bucket of size {@code burst} refilled at {@code rate}, in integer
 * nanoseconds and lock-free (one compare-and-set). The limit is passed in on every call, so a
 * reloaded limit applies to existing buckets at once. Never reads a clock itself.
 */
final class TokenBucket {
    private final AtomicLong tat;

    /** A full bucket at {@code now}. */
    TokenBucket(long now) {
        this.tat = new AtomicLong(now);
    }

    /**
     * Takes one token at {@code now}.
     *
     * @return 0 when a token was taken; otherwise the nanoseconds until one will be available
     */
    long tryTake(RateLimit limit, long now) {
        long interval = limit.intervalNanos();
        long tolerance = limit.toleranceNanos();
        while (true) {
            long t = tat.get();
            long base = Math.max(t, now);
            long wait = base - tolerance - now;
            if (wait > 0) {
                return wait;
            }
            if (tat.compareAndSet(t, base + interval)) {
                return 0;
            }
        }
    }

    /** Gives back a token taken under {@code limit} that was not used after all. */
    void giveBack(RateLimit limit) {
        tat.addAndGet(-limit.intervalNanos());
    }
}
