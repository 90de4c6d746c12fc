package dev.cachalot.pipeline;

import dev.cachalot.store.StoreKey;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs background revalidations (RFC 5861 §3 stale-while-revalidate): at most one per primary key
 * at a time, on the given executor. The work itself (conditional request, 304 merge by
 * compare-and-swap, or storing the new full response) is supplied by {@link CachingPipeline}; this
 * class only guarantees the once-per-key rule and never lets a failure escape.
 */
final class BackgroundRevalidator {
    private final Executor executor;
    private final Set<StoreKey> running = ConcurrentHashMap.newKeySet();
    private final AtomicLong started = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    BackgroundRevalidator(Executor executor) {
        this.executor = executor;
    }

    /**
     * Starts {@code work} for {@code primary} unless one is already running for that key or the
     * executor refuses it. Returns true when started.
     */
    boolean trigger(StoreKey primary, Runnable work) {
        if (!running.add(primary)) {
            skipped.incrementAndGet();
            return false;
        }
        try {
            executor.execute(() -> {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    failed.incrementAndGet();
                } finally {
                    running.remove(primary);
                }
            });
            started.incrementAndGet();
            return true;
        } catch (RejectedExecutionException e) {
            running.remove(primary);
            skipped.incrementAndGet();
            return false;
        }
    }

    /** True while a revalidation for the key is queued or running. */
    boolean isRunning(StoreKey primary) {
        return running.contains(primary);
    }

    /** Revalidations started so far. */
    long started() {
        return started.get();
    }

    /** Triggers refused because one was already running (or the pool was full). */
    long skipped() {
        return skipped.get();
    }

    /** Revalidations that ended with an unexpected exception. */
    long failed() {
        return failed.get();
    }
}
