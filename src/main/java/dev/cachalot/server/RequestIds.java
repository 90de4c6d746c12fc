package dev.cachalot.server;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Request ids of one listener: {@code PREFIX-N} with N in base 36, unique within the process, not in
 * arrival order. Each thread takes numbers in blocks of {@link #BLOCK}, so the I/O threads do not
 * contend for one counter on every request (a shared counter's cache line moved between the cores
 * on each hit). Each thread keeps its last id's text and counts up in it (the digit carry in place),
 * so an id costs one string copy rather than a base-36 conversion and a concatenation (the
 * conversion was ~5 % of a hit's Java samples).
 */
final class RequestIds {
    /** Numbers a thread takes at a time. */
    static final int BLOCK = 1024;

    /**
     * One thread's block and the text of the last id it handed out. A caller that always runs on one
     * thread (a connection on its I/O thread) may keep its thread's block ({@link #block()}) and pass
     * it to {@link #next(Block)}, sparing a thread-local lookup per id.
     */
    static final class Block {
        /** The thread this block belongs to (only it may use the block). */
        final Thread owner = Thread.currentThread();
        /** Last number handed out, and the last number of the block. */
        long last;
        long end;
        /** {@code prefix + digits(last)} in {@code text[0, length)}. */
        byte[] text;
        int length;
    }

    private final String prefix;
    private final AtomicLong blocks = new AtomicLong();
    private final ThreadLocal<Block> block = ThreadLocal.withInitial(Block::new);

    RequestIds(String prefix) {
        this.prefix = prefix + "-";
    }

    String next() {
        return next(block.get());
    }

    /** The calling thread's block, for {@link #next(Block)} on this thread. */
    Block block() {
        return block.get();
    }

    /** The next id from {@code b}, which must be the calling thread's block (else its own is used). */
    String next(Block b) {
        if (b.owner != Thread.currentThread()) {
            b = block.get();
        }
        if (b.last == b.end) {
            b.last = blocks.getAndAdd(BLOCK);
            b.end = b.last + BLOCK;
            byte[] t = (prefix + Long.toString(++b.last, 36)).getBytes(StandardCharsets.ISO_8859_1);
            b.text = Arrays.copyOf(t, t.length + 14); // room for the digits to grow (a long has at most 13)
            b.length = t.length;
        } else {
            b.last++;
            increment(b);
        }
        return new String(b.text, 0, b.length, StandardCharsets.ISO_8859_1);
    }

    /** Adds one to the base-36 digits at the end of the block's text (lower-case, as {@link Long#toString(long, int)}). */
    private void increment(Block b) {
        byte[] t = b.text;
        int first = prefix.length();
        for (int i = b.length - 1; i >= first; i--) {
            byte d = t[i];
            if (d == 'z') {
                t[i] = '0'; // and carry
            } else {
                t[i] = d == '9' ? (byte) 'a' : (byte) (d + 1);
                return;
            }
        }
        // Carried out of the first digit: one digit more, "1" followed by zeros.
        System.arraycopy(t, first, t, first + 1, b.length - first);
        t[first] = '1';
        b.length++;
    }
}
