package dev.cachalot.origin.pool;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link CheckScheduler} driven by a {@link ManualClock}: {@link #runDue()} runs, on the test's
 * thread, every task whose time has come (first run at registration time, then every interval).
 */
final class ManualScheduler implements CheckScheduler {
    private final ManualClock clock;
    private final List<Task> tasks = new ArrayList<>();
    boolean closed;

    private static final class Task {
        final Duration interval;
        final Runnable run;
        Instant due;
        boolean cancelled;

        Task(Duration interval, Runnable run, Instant due) {
            this.interval = interval;
            this.run = run;
            this.due = due;
        }
    }

    ManualScheduler(ManualClock clock) {
        this.clock = clock;
    }

    @Override
    public Cancellable every(Duration interval, Runnable task) {
        Task t = new Task(interval, task, clock.instant());
        tasks.add(t);
        return () -> t.cancelled = true;
    }

    /** Runs every due task once; returns how many ran. */
    int runDue() {
        int n = 0;
        for (Task t : tasks) {
            if (!closed && !t.cancelled && !t.due.isAfter(clock.instant())) {
                t.run.run();
                t.due = clock.instant().plus(t.interval);
                n++;
            }
        }
        return n;
    }

    /** Advances the clock by {@code d} and runs what is due. */
    int advance(Duration d) {
        clock.advance(d);
        return runDue();
    }

    /** Tasks registered and not cancelled. */
    int size() {
        int n = 0;
        for (Task t : tasks) {
            n += t.cancelled ? 0 : 1;
        }
        return n;
    }

    @Override
    public void close() {
        closed = true;
    }
}
