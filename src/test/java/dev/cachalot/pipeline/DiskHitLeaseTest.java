package dev.cachalot.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.http.ResponseHead;
import dev.cachalot.metrics.ProxyMetrics;
import dev.cachalot.origin.ProxyHeaders;
import dev.cachalot.origin.TrustedProxies;
import dev.cachalot.pipeline.FakeOrigin.Script;
import dev.cachalot.policy.PolicyConfig;
import dev.cachalot.policy.RouteOverrides;
import dev.cachalot.server.PreparedHead;
import dev.cachalot.server.ResponseSink;
import dev.cachalot.store.StoreConfig;
import dev.cachalot.store.StoreKey;
import dev.cachalot.store.TieredCacheStore;
import dev.cachalot.store.tier.ChronicleTier;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disk hits through the pipeline: a small fresh disk hit is answered by the I/O-thread fast path
 * from a leased view of the mapped file (no copy), and the lease is released only when the sink says
 * the response is done, so a purge of the entry while the response is still being written cannot
 * change the bytes being sent. With {@code cache.disk.answer-on-io-thread} off the fast path does not
 * read the disk tier. No request leaves a lease behind.
 */
class DiskHitLeaseTest {
    private static final String BODY = "disk-body-".repeat(300); // 3,000 bytes: one chunk

    @TempDir Path dir;
    private TieredCacheStore store;
    private final TestClock clock = new TestClock(Harness.T0);

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    /**
     * A sink whose response stays "in flight" until the test completes it: it keeps the buffers it
     * was given (as a socket write that has not finished would) and closes what the pipeline handed
     * over only in {@link #complete()}.
     */
    private static final class SlowSink implements ResponseSink {
        final List<AutoCloseable> toRelease = new ArrayList<>();
        ByteBuffer sent;
        ResponseHead head;
        String outcome;

        @Override
        public void releaseAfterResponse(AutoCloseable resource) {
            toRelease.add(resource);
        }

        void complete() throws Exception {
            for (AutoCloseable r : toRelease) {
                r.close();
            }
        }

        @Override
        public void sendComplete(ResponseHead h, ByteBuffer... body) {
            head = h;
            sent = body.length == 0 ? ByteBuffer.allocate(0) : body[0].duplicate();
        }

        @Override
        public void sendComplete(PreparedHead h, ByteBuffer body) {
            sendComplete(h.head(), body);
        }

        @Override
        public OutputStream start(ResponseHead h, long contentLength) throws IOException {
            throw new IOException("not expected: the hit is sent whole");
        }

        @Override
        public void sendHeadOnly(ResponseHead h) {
            head = h;
        }

        @Override
        public void sendError(int status, String message) {
            throw new AssertionError("unexpected error " + status + " " + message);
        }

        @Override
        public boolean isStarted() {
            return head != null;
        }

        @Override
        public void outcome(String o) {
            outcome = o;
        }

        @Override
        public void originNanos(long nanos) {}

        @Override
        public void closeConnection() {}
    }

    private CachingPipeline pipeline(boolean answerOnIoThread, FakeOrigin origin) throws IOException {
        StoreConfig config = StoreConfig.builder().directory(dir).diskMaxBytes(16L << 20).diskMaxEntries(1024)
                .memoryMaxBytes(1L << 20).memoryMaxObjectBytes(0) // bodies never stay in memory: disk hits
                .maxObjectBytes(1L << 20).chunkBytes(4096).averageBodyBytes(4096).promoteAfterHits(1000)
                .diskAnswerOnIoThread(answerOnIoThread).build();
        store = TieredCacheStore.open(config, clock);
        return new CachingPipeline(store, store.ioThreadStore(), origin,
                new ProxyHeaders("cachalot", new TrustedProxies(List.of())), PolicyConfig.defaults(),
                route -> RouteOverrides.NONE, PipelineConfig.defaults(), clock, ProxyMetrics.noop(), Runnable::run);
    }

    private ChronicleTier disk() {
        return store.diskTier().orElseThrow();
    }

    private static String text(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] a = new byte[d.remaining()];
        d.get(a);
        return new String(a, StandardCharsets.ISO_8859_1);
    }

    @Test
    void aSmallDiskHitIsSentFromTheIoThreadAndItsLeaseEndsWithTheResponse() throws Exception {
        FakeOrigin origin = new FakeOrigin(r -> Script.ok(BODY, "Cache-Control", "max-age=60"));
        CachingPipeline p = pipeline(true, origin);
        RecordingSink miss = new RecordingSink();
        assertFalse(p.tryAnswerNow(Harness.client(Harness.get("/d")), miss), "nothing stored yet");
        p.process(Harness.client(Harness.get("/d")), miss);
        assertEquals(BODY, miss.body.toString(StandardCharsets.ISO_8859_1));
        assertEquals(0, store.memoryTier().tierStats().entries(), "the body lives on disk only");

        SlowSink hit = new SlowSink();
        assertTrue(p.tryAnswerNow(Harness.client(Harness.get("/d")), hit), "answered on the I/O thread");
        assertEquals("HIT", hit.outcome);
        assertNotNull(hit.sent);
        assertTrue(hit.sent.isDirect(), "the mapped view itself, not a copy");
        assertEquals(1, disk().leaseStats().outstanding(), "held while the response is in flight");

        // A purge while the response is still being written: the bytes being sent stay the same.
        StoreKey primary = StoreAdapter.primaryKey(Harness.get("/d"));
        assertEquals(1, store.removeAll(primary));
        for (int i = 0; i < 20; i++) {
            RecordingSink other = new RecordingSink();
            p.process(Harness.client(Harness.get("/other" + i)), other);
        }
        assertEquals(BODY, text(hit.sent));
        assertEquals(1, disk().leaseStats().pendingFrees());

        hit.complete();
        assertEquals(0, disk().leaseStats().outstanding());
        assertEquals(0, disk().leaseStats().pendingFrees(), "freed once the response was done");
        assertEquals(1, origin.requestCount() - 20);
    }

    @Test
    void withAnswerOnIoThreadOffADiskHitGoesToTheWorkerAndIsStillReleased() throws Exception {
        FakeOrigin origin = new FakeOrigin(r -> Script.ok(BODY, "Cache-Control", "max-age=60"));
        CachingPipeline p = pipeline(false, origin);
        p.process(Harness.client(Harness.get("/d")), new RecordingSink());
        SlowSink fast = new SlowSink();
        assertFalse(p.tryAnswerNow(Harness.client(Harness.get("/d")), fast), "the fast path reads memory only");
        assertEquals(0, disk().leaseStats().outstanding());
        RecordingSink worker = new RecordingSink();
        p.process(Harness.client(Harness.get("/d")), worker);
        assertEquals("HIT", worker.outcome);
        assertEquals(BODY, worker.body.toString(StandardCharsets.ISO_8859_1));
        assertTrue(disk().leaseStats().acquired() > 0);
        assertEquals(0, disk().leaseStats().outstanding(), "released when the recorded response finished");
        assertEquals(1, origin.requestCount());
    }
}
