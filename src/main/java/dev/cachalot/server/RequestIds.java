package dev.cachalot.server;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Request ids of one listener: {@code PREFIX-N} with N in base 36, unique within the process, not in
 * arrival order. Each thread takes numbers in blocks of {@link #BLOCK}, so the I/O threads do not
 * contend for one counter on every request (a shared counter's cache line moved between the cores
 * on each hit).
 */
final class RequestIds {
    /** Numbers a thread takes at a time. */
    static final int BLOCK = 1024;

    private final String prefix;
    private final AtomicLong blocks = new AtomicLong();
    /** This thread's block: {last number handed out, last number of the block}. */
    private final ThreadLocal<long[]> block = ThreadLocal.withInitial(() -> new long[2]);

    RequestIds(String prefix) {
        this.prefix = prefix + "-";
    }

    String next() {
        long[] b = block.get();
        if (b[0] == b[1]) {
            b[0] = blocks.getAndAdd(BLOCK);
            b[1] = b[0] + BLOCK;
        }
        return prefix + Long.toString(++b[0], 36);
    }
}
