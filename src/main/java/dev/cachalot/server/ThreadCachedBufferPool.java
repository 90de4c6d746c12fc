package dev.cachalot.server;

import io.undertow.connector.ByteBufferPool;
import io.undertow.connector.PooledByteBuffer;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * Undertow's I/O buffer pool with each thread's cache of free buffers in a {@link ThreadLocal}.
 *
 * <p>Undertow 2.4's {@code DefaultByteBufferPool} finds the calling thread's cache in a synchronized
 * {@code WeakHashMap} keyed by thread (so virtual threads do not pin caches), which costs a monitor
 * and a hash lookup on every allocate and every free; an HTTP/1.1 request on a persistent connection
 * does both at least once on the I/O thread (about 5 % of the hit path's samples in a profile). Here
 * the cache is a plain thread-local stack. A thread keeps up to {@code threadCacheSize} free
 * buffers; beyond that they go to a shared queue of at most {@code maxShared}, and beyond that to
 * the garbage collector. Cachalot's threads are platform threads (XNIO's I/O and worker threads).
 */
final class ThreadCachedBufferPool implements ByteBufferPool {
    private final boolean direct;
    private final int bufferSize;
    private final int threadCacheSize;
    private final int maxShared;
    private final ThreadLocal<ArrayDeque<ByteBuffer>> local = ThreadLocal.withInitial(ArrayDeque::new);
    private final ConcurrentLinkedQueue<ByteBuffer> shared = new ConcurrentLinkedQueue<>();
    private final AtomicInteger sharedCount = new AtomicInteger();
    private final ThreadCachedBufferPool arrayBacked;
    private volatile boolean closed;

    /**
     * @param direct          direct (off-heap) buffers, as the socket layer wants
     * @param bufferSize      bytes per buffer
     * @param threadCacheSize free buffers each thread keeps for itself
     * @param maxShared       free buffers kept in the shared queue
     */
    ThreadCachedBufferPool(boolean direct, int bufferSize, int threadCacheSize, int maxShared) {
        if (bufferSize <= 0 || threadCacheSize < 0 || maxShared < 0) {
            throw new IllegalArgumentException("buffer size must be positive and cache sizes not negative");
        }
        this.direct = direct;
        this.bufferSize = bufferSize;
        this.threadCacheSize = threadCacheSize;
        this.maxShared = maxShared;
        this.arrayBacked = direct ? new ThreadCachedBufferPool(false, bufferSize, threadCacheSize, maxShared) : this;
    }

    @Override
    public PooledByteBuffer allocate() {
        if (closed) {
            throw new IllegalStateException("buffer pool closed");
        }
        ByteBuffer b = local.get().pollLast();
        if (b == null) {
            b = shared.poll();
            if (b != null) {
                sharedCount.decrementAndGet();
            } else {
                b = direct ? ByteBuffer.allocateDirect(bufferSize) : ByteBuffer.allocate(bufferSize);
            }
        }
        b.clear();
        return new Pooled(this, b);
    }

    /** Takes a buffer back: into this thread's cache, else the shared queue, else lets it go. */
    private void free(ByteBuffer b) {
        if (closed) {
            return;
        }
        ArrayDeque<ByteBuffer> mine = local.get();
        if (mine.size() < threadCacheSize) {
            mine.addLast(b);
        } else if (sharedCount.incrementAndGet() <= maxShared) {
            shared.offer(b);
        } else {
            sharedCount.decrementAndGet();
        }
    }

    @Override
    public ByteBufferPool getArrayBackedPool() {
        return arrayBacked;
    }

    /** Drops the shared buffers; buffers still cached by threads are dropped when those threads next use the pool. */
    @Override
    public void close() {
        closed = true;
        shared.clear();
        sharedCount.set(0);
        if (arrayBacked != this) {
            arrayBacked.close();
        }
    }

    @Override
    public int getBufferSize() {
        return bufferSize;
    }

    @Override
    public boolean isDirect() {
        return direct;
    }

    /** Free buffers in the shared queue (tests). */
    int sharedFree() {
        return sharedCount.get();
    }

    /** One allocation: the buffer goes back to the pool on the first close, later closes do nothing. */
    private static final class Pooled implements PooledByteBuffer {
        private static final AtomicIntegerFieldUpdater<Pooled> CLOSED =
                AtomicIntegerFieldUpdater.newUpdater(Pooled.class, "closed");
        private final ThreadCachedBufferPool pool;
        private ByteBuffer buffer;
        private volatile int closed;

        Pooled(ThreadCachedBufferPool pool, ByteBuffer buffer) {
            this.pool = pool;
            this.buffer = buffer;
        }

        @Override
        public ByteBuffer getBuffer() {
            ByteBuffer b = buffer;
            if (b == null) {
                throw new IllegalStateException("buffer already returned to the pool");
            }
            return b;
        }

        @Override
        public void close() {
            if (CLOSED.compareAndSet(this, 0, 1)) {
                ByteBuffer b = buffer;
                buffer = null;
                pool.free(b);
            }
        }

        @Override
        public boolean isOpen() {
            return closed == 0;
        }
    }
}
