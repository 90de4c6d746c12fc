package dev.cachalot.server;

import java.util.concurrent.atomic.LongAdder;

/**
 * Cooperative CPU sharing of the I/O threads (config {@code server.ioYieldEvery}): after every
 * {@code every} answers of the hit shortcut, the answering thread gives its CPU to any other
 * runnable thread on it ({@link Thread#yield}, which is {@code sched_yield} on Linux) and carries on
 * when the scheduler picks it again; with nothing else runnable the call returns at once.
 *
 * <p>Why: a busy I/O thread rarely finds its connections all idle, so it never blocks in
 * {@code epoll_wait}; the scheduler then lets it run for a whole time slice (milliseconds) while a
 * thread that shares its CPU waits, even one it is serving. On a machine whose clients or other
 * services share the cores (a sidecar, a load balancer, loopback clients), those waits become the
 * p99 latency. Yielding every few answers bounds such a wait to a few answers' worth of work
 * (docs/benchmarks.md, "Sharing the CPU"). The count is kept per thread, with no clock read.
 */
final class AnswerYield {
    private final int every;
    private final Runnable yield;
    private final ThreadLocal<int[]> counts = ThreadLocal.withInitial(() -> new int[1]);
    /** Yields made since start. */
    private final LongAdder yields = new LongAdder();

    /** Yields through {@link Thread#yield} after every {@code every} answers; 0 never yields. */
    AnswerYield(int every) {
        this(every, Thread::yield);
    }

    AnswerYield(int every, Runnable yield) {
        if (every < 0) {
            throw new IllegalArgumentException("every must be >= 0: " + every);
        }
        this.every = every;
        this.yield = yield;
    }

    /** Counts one answer of the calling thread; every {@code every}-th one yields the CPU first. */
    void answered() {
        if (every == 0) {
            return;
        }
        int[] c = counts.get();
        if (++c[0] < every) {
            return;
        }
        c[0] = 0;
        yields.increment();
        yield.run();
    }

    /** Yields made since start. */
    long yields() {
        return yields.sum();
    }
}
