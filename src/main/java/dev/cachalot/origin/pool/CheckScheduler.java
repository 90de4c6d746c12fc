package dev.cachalot.origin.pool;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs periodic health checks. Production uses a few daemon threads; tests use a manual scheduler
 * driven by a test clock, so no test sleeps.
 */
public interface CheckScheduler extends AutoCloseable {
    /**
     * Runs {@code task} now and then {@code interval} after each run ended, until the returned handle
     * is cancelled or the scheduler is closed.
     */
    Cancellable every(Duration interval, Runnable task);

    /** A scheduled task that can be stopped (a reload that removes a server stops its checks). */
    @FunctionalInterface
    interface Cancellable {
        /** Stops further runs; a run in progress finishes. Idempotent. */
        void cancel();
    }

    /** Stops all tasks (a check in progress finishes or is interrupted). */
    @Override
    void close();

    /** A scheduler on {@code threads} daemon threads named {@code cachalot-health-N}. */
    static CheckScheduler threads(int threads) {
        AtomicInteger n = new AtomicInteger();
        ScheduledExecutorService ex = Executors.newScheduledThreadPool(threads, r -> {
            Thread t = new Thread(r, "cachalot-health-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        return new CheckScheduler() {
            @Override
            public Cancellable every(Duration interval, Runnable task) {
                ScheduledFuture<?> f = ex.scheduleWithFixedDelay(task, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
                return () -> f.cancel(false);
            }

            @Override
            public void close() {
                ex.shutdownNow();
            }
        };
    }
}
