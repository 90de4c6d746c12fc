package dev.cachalot.metrics;

import com.codahale.metrics.Clock;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MovingAverages;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A meter's 1-, 5- and 15-minute rates computed when they are read instead of on every mark.
 *
 * <p>Dropwizard's own moving averages add each mark to three striped counters and read the clock,
 * which on the hit path cost more than the rest of the metrics together (four meters per request).
 * Only JMX reads the rates (the Prometheus export reads counts), so here a mark costs nothing
 * beyond the meter's count: when a rate is read, the count's growth since the last read is fed to
 * the same exponentially weighted averages, one 5-second tick at a time. Two differences from
 * Dropwizard's, both bounded: marks made in the current, unfinished 5-second step are fed with the
 * step before it (up to 5 seconds early), and when reads are more than one step apart the growth is
 * spread evenly over the steps it spans (smoother than the truth, never a different total). Read at
 * least once per step, the rates are exactly Dropwizard's. (After a gap of hours Dropwizard resets
 * its rates to zero; here they decay in closed form, which comes to the same within 1e-4 per second.)
 */
final class ReadTimeMovingAverages implements MovingAverages {
    /** Dropwizard's tick: the averages decay in 5-second steps. */
    static final long TICK_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** Steps replayed one by one (as Dropwizard does them); longer gaps use the closed form. */
    private static final long REPLAYED_STEPS = 64;

    private final Average m1 = new Average(1);
    private final Average m5 = new Average(5);
    private final Average m15 = new Average(15);
    private final Clock clock;
    private LongSupplier count;
    private long lastTick;
    private long lastCount;

    private ReadTimeMovingAverages(Clock clock) {
        this.clock = clock;
        this.lastTick = clock.getTick();
    }

    /** A meter whose marks only count, with rates brought up to date when read. */
    static Meter meter(Clock clock) {
        ReadTimeMovingAverages averages = new ReadTimeMovingAverages(clock);
        Meter meter = new Meter(averages, clock);
        averages.count = meter::getCount;
        return meter;
    }

    /** Nothing per mark: the rates catch up when read. */
    @Override
    public void tickIfNecessary() {
    }

    /** Nothing per mark: the growth is taken from the meter's count when the rates are read. */
    @Override
    public void update(long n) {
    }

    @Override
    public synchronized double getM1Rate() {
        catchUp();
        return m1.perSecond();
    }

    @Override
    public synchronized double getM5Rate() {
        catchUp();
        return m5.perSecond();
    }

    @Override
    public synchronized double getM15Rate() {
        catchUp();
        return m15.perSecond();
    }

    /** Feeds the count's growth since the last whole step to the averages, spread over the steps. */
    private void catchUp() {
        long now = clock.getTick();
        long age = now - lastTick;
        // As Dropwizard: a step is taken only once strictly more than 5 seconds have passed.
        if (age <= TICK_NANOS) {
            return;
        }
        long steps = age / TICK_NANOS;
        lastTick = now - age % TICK_NANOS;
        long total = count.getAsLong();
        long growth = total - lastCount;
        lastCount = total;
        m1.steps(growth, steps);
        m5.steps(growth, steps);
        m15.steps(growth, steps);
    }

    /**
     * One exponentially weighted moving average, stepped as Dropwizard's {@code EWMA}: the first step
     * sets the rate, each later one moves it by alpha toward the step's rate.
     */
    private static final class Average {
        private final double alpha;
        private boolean started;
        /** Events per nanosecond. */
        private double rate;

        Average(int minutes) {
            this.alpha = 1 - Math.exp(-5.0 / 60.0 / minutes);
        }

        /** {@code steps} steps sharing {@code growth} events evenly (the remainder in the last ones). */
        void steps(long growth, long steps) {
            long share = growth / steps;
            long remainder = growth % steps;
            long plain = steps - remainder;
            if (plain > REPLAYED_STEPS) {
                // n steps at a constant rate x take r to x + (r - x)(1 - alpha)^n.
                long replayed = REPLAYED_STEPS;
                double x = (double) share / TICK_NANOS;
                if (!started) {
                    rate = x;
                    started = true;
                } else {
                    rate = x + (rate - x) * Math.pow(1 - alpha, plain - replayed);
                }
                plain = replayed;
            }
            for (long i = 0; i < plain; i++) {
                step(share);
            }
            for (long i = 0; i < remainder; i++) {
                step(share + 1);
            }
        }

        private void step(long events) {
            double instant = (double) events / TICK_NANOS;
            if (started) {
                rate += alpha * (instant - rate);
            } else {
                rate = instant;
                started = true;
            }
        }

        double perSecond() {
            return rate * TimeUnit.SECONDS.toNanos(1);
        }
    }
}
