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
    public void every(Duration interval, Runnable task) {
        tasks.add(new Task(interval, task, clock.instant()));
    }

    /** Runs every due task once; returns how many ran. */
    int runDue() {
        int n = 0;
        for (Task t : tasks) {
            if (!closed && !t.due.isAfter(clock.instant())) {
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

    int size() {
        return tasks.size();
    }

    @Override
    public void close() {
        closed = true;
    }
}
