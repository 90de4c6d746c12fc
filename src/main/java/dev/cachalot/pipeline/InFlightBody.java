package dev.cachalot.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A response body that is still arriving from the origin, fanned out to every attached reader as
 * the bytes arrive (the collapsed followers of one origin fetch).
 *
 * <p>Memory is bounded: a chunk is kept only until every attached reader has read past it. While
 * the body is younger than {@code maxLagBytes} the whole prefix is kept too, so a reader may still
 * attach and start from byte 0; after that {@link #attach} refuses (the caller then waits for the
 * stored entry). The producer never waits for readers: a reader that falls more than
 * {@code maxLagBytes} behind the producer is detached, and its next read throws
 * {@link LaggedException} carrying the offset it had reached, so the caller can continue from the
 * committed store entry (or abort). So the memory of one flight is at most about
 * {@code maxLagBytes} plus one chunk, whatever the number of readers or the object size.
 *
 * <p>A body ends either {@link #complete() complete} (readers see end of stream) or
 * {@link #abort aborted} (readers see an {@link IOException}): a cut-off body never looks complete.
 */
final class InFlightBody {
    /** Thrown to a reader that fell too far behind and was detached. */
    static final class LaggedException extends IOException {
        private static final long serialVersionUID = 1L;
        private final long offset;

        LaggedException(long offset) {
            super("reader fell behind the origin by more than the lag cap at offset " + offset);
            this.offset = offset;
        }

        /** The number of bytes this reader had consumed when it was detached. */
        long offset() {
            return offset;
        }
    }

    /** How the body stands. */
    private enum State {
        /** Bytes may still arrive. */
        OPEN,
        /** The origin sent the whole body. */
        COMPLETE,
        /** The origin body failed or was cut off. */
        ABORTED
    }

    private record Chunk(long offset, byte[] bytes) {
        long end() {
            return offset + bytes.length;
        }
    }

    private final long maxLagBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Chunk> chunks = new ArrayDeque<>();
    private final List<Reader> readers = new ArrayList<>();
    private long total;
    private boolean prefixReleased;
    private State state = State.OPEN;
    private String failure;
    private long laggedReaders;

    InFlightBody(long maxLagBytes) {
        if (maxLagBytes < 1) {
            throw new IllegalArgumentException("maxLagBytes must be positive: " + maxLagBytes);
        }
        this.maxLagBytes = maxLagBytes;
    }

    /** Appends a copy of {@code len} bytes and wakes the readers; detaches readers beyond the lag cap. */
    void append(byte[] buf, int off, int len) {
        if (len <= 0) {
            return;
        }
        lock.lock();
        try {
            if (state != State.OPEN) {
                throw new IllegalStateException("body already ended: " + state);
            }
            long newTotal = total + len;
            boolean keep = !readers.isEmpty() || !prefixReleased && newTotal <= maxLagBytes;
            if (keep) {
                byte[] copy = new byte[len];
                System.arraycopy(buf, off, copy, 0, len);
                chunks.addLast(new Chunk(total, copy));
            } else {
                prefixReleased = true;
            }
            total = newTotal;
            for (Iterator<Reader> it = readers.iterator(); it.hasNext(); ) {
                Reader r = it.next();
                if (total - r.position > maxLagBytes) {
                    r.lagged = true;
                    laggedReaders++;
                    it.remove();
                }
            }
            trim();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Marks the body complete: readers get end of stream after the last byte. */
    void complete() {
        end(State.COMPLETE, null);
    }

    /** Marks the body failed: readers get an IOException instead of end of stream. */
    void abort(String why) {
        end(State.ABORTED, why);
    }

    private void end(State s, String why) {
        lock.lock();
        try {
            if (state == State.OPEN) {
                state = s;
                failure = why;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** How {@link #attachAt} answered a reader that wants to start at a given offset. */
    enum Join {
        /** Attached: the bytes from the offset are held or still to come. */
        ATTACHED,
        /** The bytes at the offset arrived and were released already (no reader needed them). */
        RELEASED,
        /** The offset lies further ahead of the bytes received than the caller allows. */
        TOO_FAR_AHEAD,
        /** The body failed, or it is complete and the bytes at the offset are no longer held. */
        ENDED
    }

    /** The answer of {@link #attachAt}: the outcome and, when attached, the reader. */
    record Attachment(Join outcome, InputStream reader) {}

    /**
     * A new reader that starts at {@code offset} of the body (a byte-range request served from the
     * body while it arrives). It attaches when the bytes from {@code offset} are still held (the
     * prefix kept for late followers, or chunks another reader still needs) or have not arrived yet
     * and lie at most {@code maxAhead} bytes beyond what has been received; its reads then block until
     * bytes arrive, like any follower's, and it is detached with {@link LaggedException} when it falls
     * more than the lag cap behind the producer.
     */
    Attachment attachAt(long offset, long maxAhead) {
        lock.lock();
        try {
            if (state == State.ABORTED || state == State.COMPLETE && offset >= total) {
                return new Attachment(Join.ENDED, null);
            }
            if (offset - total > maxAhead) {
                return new Attachment(Join.TOO_FAR_AHEAD, null);
            }
            long lowestHeld = chunks.isEmpty() ? total : chunks.peekFirst().offset;
            if (offset < lowestHeld) {
                // A complete body is (about to be) committed: the caller reads the store instead.
                return new Attachment(state == State.COMPLETE ? Join.ENDED : Join.RELEASED, null);
            }
            Reader r = new Reader(offset);
            readers.add(r);
            return new Attachment(Join.ATTACHED, r);
        } finally {
            lock.unlock();
        }
    }

    /** A new reader from byte 0, or null when the prefix is already released or the body failed. */
    InputStream attach() {
        lock.lock();
        try {
            if (prefixReleased || state == State.ABORTED) {
                return null;
            }
            Reader r = new Reader(0);
            readers.add(r);
            return r;
        } finally {
            lock.unlock();
        }
    }

    /** True when the body failed (cut off by the origin). */
    boolean isAborted() {
        lock.lock();
        try {
            return state == State.ABORTED;
        } finally {
            lock.unlock();
        }
    }

    /** Readers currently attached. */
    int readers() {
        lock.lock();
        try {
            return readers.size();
        } finally {
            lock.unlock();
        }
    }

    /** Bytes received so far. */
    long received() {
        lock.lock();
        try {
            return total;
        } finally {
            lock.unlock();
        }
    }

    /** Bytes currently held for readers (for tests and metrics). */
    long bufferedBytes() {
        lock.lock();
        try {
            long n = 0;
            for (Chunk c : chunks) {
                n += c.bytes.length;
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** Readers detached for lagging so far. */
    long laggedReaders() {
        lock.lock();
        try {
            return laggedReaders;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the body ended or {@code bytes} were received; for tests that must observe progress. */
    boolean awaitReceived(long bytes, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        lock.lock();
        try {
            while (total < bytes && state == State.OPEN) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.awaitNanos(left);
            }
            return total >= bytes;
        } finally {
            lock.unlock();
        }
    }

    /** Drops chunks no reader needs any more (keeping the prefix while late readers may attach). */
    private void trim() {
        if (!prefixReleased && total <= maxLagBytes) {
            return;
        }
        long min = total;
        for (Reader r : readers) {
            min = Math.min(min, r.position);
        }
        while (!chunks.isEmpty() && chunks.peekFirst().end() <= min) {
            chunks.removeFirst();
            prefixReleased = true;
        }
        if (readers.isEmpty() && !chunks.isEmpty()) {
            chunks.clear();
            prefixReleased = true;
        }
    }

    /** One attached reader; blocking reads on the caller's thread. */
    private final class Reader extends InputStream {
        private long position;
        private boolean lagged;
        private boolean closed;

        Reader(long start) {
            this.position = start;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            lock.lock();
            try {
                while (true) {
                    if (closed) {
                        throw new IOException("reader closed");
                    }
                    if (lagged) {
                        throw new LaggedException(position);
                    }
                    if (state == State.ABORTED) {
                        throw new IOException("origin body aborted: " + failure);
                    }
                    if (position < total) {
                        return copy(b, off, len);
                    }
                    if (state == State.COMPLETE) {
                        return -1;
                    }
                    changed.awaitUninterruptibly();
                }
            } finally {
                lock.unlock();
            }
        }

        private int copy(byte[] b, int off, int len) {
            for (Chunk c : chunks) {
                if (c.end() > position) {
                    int from = (int) (position - c.offset);
                    int n = Math.min(len, c.bytes.length - from);
                    System.arraycopy(c.bytes, from, b, off, n);
                    position += n;
                    trim();
                    return n;
                }
            }
            throw new IllegalStateException("chunk at " + position + " was released while still needed");
        }

        /** Bytes readable without blocking (0 when the next read would wait for the origin). */
        @Override
        public int available() {
            lock.lock();
            try {
                // A reader that starts ahead of the bytes received has nothing to read yet (not a negative count).
                return lagged || closed ? 0 : (int) Math.max(0, Math.min(Integer.MAX_VALUE, total - position));
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void close() {
            lock.lock();
            try {
                if (!closed) {
                    closed = true;
                    readers.remove(this);
                    trim();
                }
            } finally {
                lock.unlock();
            }
        }
    }
}
