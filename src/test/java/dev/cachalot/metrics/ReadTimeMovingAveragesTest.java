package dev.cachalot.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.Clock;
import com.codahale.metrics.Meter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ReadTimeMovingAveragesTest {
    /** A clock moved by hand. */
    private static class ManualClock extends Clock {
        long nanos = 1_000_000_000L;

        @Override
        public long getTick() {
            return nanos;
        }

        void advance(long amount, TimeUnit unit) {
            nanos += unit.toNanos(amount);
        }
    }

    private static final long TICK_NANOS = ReadTimeMovingAverages.TICK_NANOS;

    @Test
    void readAtTheEndOfEveryStepTheRatesAreDropwizards() {
        ManualClock clock = new ManualClock();
        Meter classic = new Meter(clock);
        Meter lazy = ReadTimeMovingAverages.meter(clock);
        // An uneven load: bursts, pauses, then a steady trickle; marks inside each 5 s step.
        int[] perStep = {0, 120, 7, 0, 0, 900, 3, 3, 3, 250, 0, 1, 60, 60, 60, 0, 0, 0, 0, 5};
        for (int step = 0; step < perStep.length; step++) {
            for (int i = 0; i < perStep[step]; i++) {
                classic.mark();
                lazy.mark();
            }
            // Dropwizard takes a step once strictly more than 5 s have passed, at the next mark or read.
            clock.advance(TICK_NANOS + 1, TimeUnit.NANOSECONDS);
            assertEquals(classic.getOneMinuteRate(), lazy.getOneMinuteRate(), 1e-12, "m1 after step " + step);
            assertEquals(classic.getFiveMinuteRate(), lazy.getFiveMinuteRate(), 1e-12, "m5 after step " + step);
            assertEquals(classic.getFifteenMinuteRate(), lazy.getFifteenMinuteRate(), 1e-12, "m15 after step " + step);
        }
        assertTrue(lazy.getOneMinuteRate() > 0, "the rates moved");
        assertEquals(classic.getCount(), lazy.getCount());
        assertEquals(classic.getMeanRate(), lazy.getMeanRate(), 1e-12);
    }

    @Test
    void aLongGapSpreadsTheGrowthEvenlyAndKeepsTheTotal() {
        ManualClock clock = new ManualClock();
        Meter even = new Meter(clock);
        Meter lazy = ReadTimeMovingAverages.meter(clock);
        // 12 steps of 50 marks each, read only at the end (lazy) against the same marks spread evenly
        // and read every step (Dropwizard's own meter): the same rates.
        for (int step = 0; step < 12; step++) {
            for (int i = 0; i < 50; i++) {
                even.mark();
                lazy.mark();
            }
            clock.advance(TICK_NANOS + 1, TimeUnit.NANOSECONDS);
            even.getOneMinuteRate();
        }
        assertEquals(even.getOneMinuteRate(), lazy.getOneMinuteRate(), 1e-12);
        assertEquals(even.getFifteenMinuteRate(), lazy.getFifteenMinuteRate(), 1e-12);
        assertEquals(600, lazy.getCount());
    }

    @Test
    void afterADayIdleTheRatesDecayToNothingWithoutReplayingEveryStep() {
        ManualClock clock = new ManualClock();
        Meter lazy = ReadTimeMovingAverages.meter(clock);
        lazy.mark(10_000);
        clock.advance(TICK_NANOS + 1, TimeUnit.NANOSECONDS);
        double busy = lazy.getOneMinuteRate();
        assertTrue(busy > 100, "10,000 marks in one 5 s step: " + busy);
        clock.advance(1, TimeUnit.DAYS);
        assertEquals(0.0, lazy.getOneMinuteRate(), 1e-9);
        assertEquals(0.0, lazy.getFifteenMinuteRate(), 1e-6);
    }

    @Test
    void marksDoNotReadTheClock() {
        ManualClock clock = new ManualClock() {
            int reads;

            @Override
            public long getTick() {
                reads++;
                if (reads > 2) {
                    throw new AssertionError("the clock was read on a mark");
                }
                return super.getTick();
            }
        };
        // One read by the averages' constructor, one by the meter's (its start time).
        Meter lazy = ReadTimeMovingAverages.meter(clock);
        for (int i = 0; i < 1000; i++) {
            lazy.mark();
        }
        assertEquals(1000, lazy.getCount());
    }
}
