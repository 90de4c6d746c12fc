package dev.cachalot.ratelimit;

import java.time.Duration;
import java.util.function.LongSupplier;

/** A nanosecond ticker tests move by hand. */
final class FakeTicker implements LongSupplier {
    private volatile long now = 1_000_000_000_000L;

    void advance(Duration d) {
        now += d.toNanos();
    }

    @Override
    public long getAsLong() {
        return now;
    }
}
