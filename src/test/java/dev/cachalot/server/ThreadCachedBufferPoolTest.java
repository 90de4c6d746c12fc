package dev.cachalot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.undertow.connector.PooledByteBuffer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ThreadCachedBufferPoolTest {
    @Test
    void aFreedBufferIsHandedOutAgainClearedOnTheSameThread() {
        ThreadCachedBufferPool pool = new ThreadCachedBufferPool(true, 1024, 4, 8);
        PooledByteBuffer a = pool.allocate();
        ByteBuffer first = a.getBuffer();
        assertTrue(first.isDirect());
        assertEquals(1024, first.capacity());
        first.put((byte) 7).flip();
        a.close();
        PooledByteBuffer b = pool.allocate();
        assertSame(first, b.getBuffer(), "the thread's cache hands the buffer back");
        assertEquals(0, b.getBuffer().position());
        assertEquals(1024, b.getBuffer().limit());
    }

    @Test
    void closeIsIdempotentAndAClosedAllocationCannotBeUsed() {
        ThreadCachedBufferPool pool = new ThreadCachedBufferPool(false, 64, 4, 8);
        PooledByteBuffer a = pool.allocate();
        assertTrue(a.isOpen());
        a.close();
        a.close();
        assertFalse(a.isOpen());
        assertThrows(IllegalStateException.class, a::getBuffer);
        // A double close must not put the buffer in the pool twice: two allocations, two buffers.
        PooledByteBuffer x = pool.allocate();
        PooledByteBuffer y = pool.allocate();
        assertNotSame(x.getBuffer(), y.getBuffer());
    }

    @Test
    void beyondTheThreadCacheBuffersGoToTheBoundedSharedQueue() throws Exception {
        ThreadCachedBufferPool pool = new ThreadCachedBufferPool(true, 256, 2, 3);
        List<PooledByteBuffer> held = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            held.add(pool.allocate());
        }
        held.forEach(PooledByteBuffer::close);
        // 2 stay with this thread, 3 go to the shared queue, the other 5 to the garbage collector.
        assertEquals(3, pool.sharedFree());
        // Another thread (empty cache) takes from the shared queue.
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            ByteBuffer fromShared = other.submit(() -> pool.allocate().getBuffer()).get(30, TimeUnit.SECONDS);
            assertEquals(2, pool.sharedFree());
            assertTrue(held.stream().noneMatch(p -> p.isOpen()));
            assertEquals(256, fromShared.capacity());
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void theArrayBackedPoolGivesHeapBuffersAndAClosedPoolRefuses() {
        ThreadCachedBufferPool pool = new ThreadCachedBufferPool(true, 128, 1, 1);
        assertTrue(pool.isDirect());
        assertFalse(pool.getArrayBackedPool().isDirect());
        assertTrue(pool.getArrayBackedPool().allocate().getBuffer().hasArray());
        assertEquals(128, pool.getArrayBackedPool().getBufferSize());
        pool.close();
        assertThrows(IllegalStateException.class, pool::allocate);
        assertThrows(IllegalStateException.class, pool.getArrayBackedPool()::allocate);
    }
}
