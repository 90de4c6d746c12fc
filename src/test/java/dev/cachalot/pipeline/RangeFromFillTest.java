package dev.cachalot.pipeline;

import static dev.cachalot.pipeline.Harness.get;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.RequestHead;
import dev.cachalot.pipeline.FakeOrigin.Script;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Range requests for a URL whose whole-object fill is in progress are answered from that fill (a
 * 206 built from the fill's length, bytes as they arrive), or forwarded on their own when the fill
 * cannot serve them without making the client wait for most of the object. The origin is a script
 * whose body chunks are held behind latches, so "the fill is at byte N" is exact, not timed.
 */
class RangeFromFillTest {
    private static final int CHUNK = 10_000;
    private static final String ETAG = "\"v1\"";
    private static final String LAST_MODIFIED = "Tue, 24 Nov 2026 12:00:00 GMT";

    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final byte[] body = bytes(4 * CHUNK);

    @AfterEach
    void stop() throws InterruptedException {
        threads.shutdownNow();
        threads.awaitTermination(10, TimeUnit.SECONDS);
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + i / 251);
        }
        return b;
    }

    private byte[] slice(int from, int toInclusive) {
        return Arrays.copyOfRange(body, from, toInclusive + 1);
    }

    /**
     * An origin that answers the whole object in four chunks, chunk {@code gatedChunk} held until
     * {@code gate} opens (or cut off there when {@code cut}); a request with Range gets a 206 of its
     * own (so a forwarded range request is visible in the request count).
     */
    private FakeOrigin origin(int gatedChunk, CountDownLatch gate, boolean cut, boolean lengthKnown) {
        return new FakeOrigin(r -> {
            if (r.headers().contains("Range")) {
                return Script.status(206, "from-origin", "Content-Range", "bytes 0-10/" + body.length);
            }
            Script s = new Script();
            s.headers = HeaderFields.of("Cache-Control", "max-age=600", "ETag", ETAG, "Last-Modified", LAST_MODIFIED,
                    "Date", "Wed, 25 Nov 2026 12:00:00 GMT", "Content-Type", "application/octet-stream");
            if (cut) {
                s.chunks(slice(0, CHUNK - 1), slice(CHUNK, 2 * CHUNK - 1)).length(body.length).cut();
                return s.gateChunk(1, gate);
            }
            s.chunks(slice(0, CHUNK - 1), slice(CHUNK, 2 * CHUNK - 1), slice(2 * CHUNK, 3 * CHUNK - 1),
                    slice(3 * CHUNK, 4 * CHUNK - 1));
            if (!lengthKnown) {
                s.length(-1);
            }
            return s.gateChunk(gatedChunk, gate);
        });
    }

    private CompletableFuture<RecordingSink> async(Harness h, RequestHead head, RecordingSink sink) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                h.pipeline.process(Harness.client(head), sink);
                return sink;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, threads);
    }

    private CompletableFuture<RecordingSink> async(Harness h, RequestHead head) {
        return async(h, head, new RecordingSink());
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.yield();
        }
    }

    /** Starts the whole-object download and waits until its first chunk has reached the fan-out. */
    private RecordingSink startFill(Harness h, CompletableFuture<?>[] holder) throws Exception {
        RecordingSink leader = new RecordingSink();
        holder[0] = async(h, get("/big"), leader);
        assertTrue(leader.firstBytes.await(30, TimeUnit.SECONDS), "the fill's first chunk arrived");
        return leader;
    }

    /**
     * Starts a fill of /big held after its first chunk ({@code lengthKnown}: with Content-Length),
     * sends {@code range} meanwhile, and checks that the origin answered it on its own (a second
     * origin request); then lets the fill finish.
     */
    private void assertForwardedAloneDuringAFill(boolean lengthKnown, PipelineConfig config, RequestHead range)
            throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        FakeOrigin origin = origin(1, gate, false, lengthKnown);
        Harness h = new Harness(origin, config);
        CompletableFuture<?>[] fill = new CompletableFuture<?>[1];
        startFill(h, fill);
        RecordingSink s = async(h, range).get(30, TimeUnit.SECONDS);
        assertEquals("from-origin", s.bodyText());
        assertEquals(2, origin.requestCount());
        gate.countDown();
        fill[0].get(30, TimeUnit.SECONDS);
    }

    @Test
    void aRangeWhoseBytesHaveArrivedIsAnsweredAtOnceFromTheFill() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        FakeOrigin origin = origin(1, gate, false, true);
        Harness h = new Harness(origin);
        CompletableFuture<?>[] fill = new CompletableFuture<?>[1];
        startFill(h, fill);

        // The fill is held after its first chunk: the range inside that chunk is answered meanwhile.
        RecordingSink s = async(h, get("/big", "Range", "bytes=100-199")).get(30, TimeUnit.SECONDS);
        assertEquals(206, s.status());
        assertEquals("bytes 100-199/40000", s.header("Content-Range"));
        assertEquals(100, s.announcedLength);
        assertArrayEquals(slice(100, 199), s.bodyBytes());
        assertTrue(s.completed);
        assertTrue(s.header("Cache-Status").contains("collapsed"), s.header("Cache-Status"));
        assertEquals("MISS", s.outcome);
        assertEquals(1, origin.requestCount(), "no origin request of its own");
        assertEquals(0, origin.bodiesFinished(), "answered while the fill is still held");

        gate.countDown();
        fill[0].get(30, TimeUnit.SECONDS);
        assertEquals(1, h.pipeline.stats().rangesFromFill());
        assertEquals(0, h.pipeline.stats().followersJoined(), "a range reader is not a counted follower");
    }

    @Test
    void aRangeAheadOfTheFillGetsItsHeadAtOnceAndItsBytesAsTheyArrive() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        FakeOrigin origin = origin(1, gate, false, true);
        Harness h = new Harness(origin);
        CompletableFuture<?>[] fill = new CompletableFuture<?>[1];
        startFill(h, fill);

        RecordingSink s = new RecordingSink();
        CompletableFuture<RecordingSink> f = async(h, get("/big", "Range", "bytes=25000-34999"), s);
        await("the 206 head", () -> s.head != null);
        assertEquals(206, s.head.status());
        assertEquals("bytes 25000-34999/40000", s.header("Content-Range"));
        assertEquals(0, s.bodyBytes().length, "its bytes have not arrived yet");
        assertFalse(f.isDone());

        gate.countDown();
        f.get(30, TimeUnit.SECONDS);
        assertArrayEquals(slice(25_000, 34_999), s.bodyBytes());
        assertTrue(s.completed);
        fill[0].get(30, TimeUnit.SECONDS);
        assertEquals(1, origin.requestCount(), "one origin fetch for the download and the range");
    }

    @Test
    void aRangeStartingTooFarAheadOfTheFillIsForwardedOnItsOwnWithoutWaiting() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        FakeOrigin origin = origin(1, gate, false, true);
        Harness h = new Harness(origin, PipelineConfig.defaults().withRangeJoinAheadBytes(5_000));
        CompletableFuture<?>[] fill = new CompletableFuture<?>[1];
        startFill(h, fill);

        // 30,000 is 20,000 beyond the 10,000 received: more than the 5,000 allowed.
        RecordingSink s = async(h, get("/big", "Range", "bytes=30000-30099")).get(30, TimeUnit.SECONDS);
        assertEquals(206, s.status());
        assertEquals("from-origin", s.bodyText());
        assertEquals(2, origin.requestCount());
        assertEquals("bytes=30000-30099", origin.lastRequest().headers().first("Range"));
        assertEquals(1, h.pipeline.stats().rangesBesideFill());

        // Within the distance: joins the fill.
        RecordingSink near = new RecordingSink();
        CompletableFuture<RecordingSink> n = async(h, get("/big", "Range", "bytes=12000-12099"), near);
        await("the 206 head", () -> near.head != null);
        gate.countDown();
        n.get(30, TimeUnit.SECONDS);
        assertArrayEquals(slice(12_000, 12_099), near.bodyBytes());
        assertEquals(2, origin.requestCount());
        fill[0].get(30, TimeUnit.SECONDS);
    }

    @Test
    void aRangeWhoseBytesWereAlreadyReleasedIsForwardedOnItsOwn() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        FakeOrigin origin = origin(2, gate, false, true);
        // A 16 KiB lag cap: after two chunks (20,000 bytes) with nobody reading, the prefix is released.
        Harness h = new Harness(origin, PipelineConfig.defaults().withMaxFollowerLagBytes(16 * 1024));
        RecordingSink leader = new RecordingSink();
        CompletableFuture<RecordingSink> fill = async(h, get("/big"), leader);
        await("two chunks at the leader", () -> leader.bodyBytes().length >= 2 * CHUNK);

        RecordingSink s = async(h, get("/big", "Range", "bytes=0-99")).get(30, TimeUnit.SECONDS);
        assertEquals("from-origin", s.bodyText());
        assertEquals(2, origin.requestCount());
        gate.countDown();
        fill.get(30, TimeUnit.SECONDS);
    }

    @Test
    void ifRangeWithTheFillsStrongEtagGetsThePartFromTheFill() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        FakeOrigin origin = origin(1, gate, false, true);
        Harness h = new Harness(origin);
        CompletableFuture<?>[] fill = new CompletableFuture<?>[1];
        startFill(h, fill);

        RecordingSink s = async(h, get("/big", "Range", "bytes=10-19", "If-Range", ETAG)).get(30, TimeUnit.SECONDS);
        assertEquals(206, s.status());
        assertArrayEquals(slice(10, 19), s.bodyBytes());
        assertEquals(1, origin.requestCount());
        gate.countDown();
        fill[0].get(30, TimeUnit.SECONDS);
    }

    @Test
    void ifRangeThatDoesNotMatchStronglyGetsTheWholeObjectFromTheFill() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        FakeOrigin origin = origin(1, gate, false, true);
        Harness h = new Harness(origin);
        CompletableFuture<?>[] fill = new CompletableFuture<?>[1];
        startFill(h, fill);

        // RFC 9110 §13.1.5: a weak tag never matches, an old tag does not either: 200 with the whole body.
        RecordingSink weak = new RecordingSink();
        CompletableFuture<RecordingSink> w = async(h, get("/big", "Range", "bytes=10-19", "If-Range", "W/" + ETAG), weak);
        RecordingSink old = new RecordingSink();
        CompletableFuture<RecordingSink> o = async(h, get("/big", "Range", "bytes=10-19", "If-Range", "\"v0\""), old);
        await("both heads", () -> weak.head != null && old.head != null);
        assertEquals(200, weak.head.status());
        assertEquals(200, old.head.status());
        assertNull(weak.header("Content-Range"));
        gate.countDown();
        w.get(30, TimeUnit.SECONDS);
        o.get(30, TimeUnit.SECONDS);
        assertArrayEquals(body, weak.bodyBytes());
        assertArrayEquals(body, old.bodyBytes());
        assertEquals(40_000, weak.announcedLength);
        assertEquals(1, origin.requestCount(), "the whole object came from the one fill");
        fill[0].get(30, TimeUnit.SECONDS);
    }

    @Test
    void ifRangeWithALastModifiedDateMatchesOnlyWhenTheDateIsStrong() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        FakeOrigin origin = origin(1, gate, false, true);
        Harness h = new Harness(origin);
        CompletableFuture<?>[] fill = new CompletableFuture<?>[1];
        startFill(h, fill);

        // Last-Modified is a day before Date: a strong validator (RFC 9110 §8.8.2.2), so the part is sent.
        RecordingSink s = async(h, get("/big", "Range", "bytes=0-4", "If-Range", LAST_MODIFIED))
                .get(30, TimeUnit.SECONDS);
        assertEquals(206, s.status());
        assertArrayEquals(slice(0, 4), s.bodyBytes());
        gate.countDown();
        fill[0].get(30, TimeUnit.SECONDS);
        assertEquals(1, origin.requestCount());
    }

    @Test
    void whenTheFillFailsMidwayTheRangeAnswerIsAbortedNeverEndedAsComplete() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        FakeOrigin origin = origin(1, gate, true, true); // two chunks of an announced 40,000, then a reset
        Harness h = new Harness(origin);
        CompletableFuture<?>[] fill = new CompletableFuture<?>[1];
        RecordingSink leader = startFill(h, fill);

        RecordingSink s = new RecordingSink();
        CompletableFuture<RecordingSink> f = async(h, get("/big", "Range", "bytes=5000-29999"), s);
        await("the 206 head", () -> s.head != null);
        gate.countDown();
        f.get(30, TimeUnit.SECONDS);
        fill[0].get(30, TimeUnit.SECONDS);
        assertEquals(206, s.head.status());
        assertTrue(s.aborted, "the 206 was aborted");
        assertFalse(s.completed, "a truncated 206 never ends cleanly");
        assertTrue(s.bodyBytes().length < 25_000);
        assertTrue(leader.aborted);
        assertTrue(h.stored("/big").isEmpty());
    }

    @Test
    void severalRangesAreSentAsMultipartFromTheFill() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        FakeOrigin origin = origin(1, gate, false, true);
        Harness h = new Harness(origin);
        CompletableFuture<?>[] fill = new CompletableFuture<?>[1];
        startFill(h, fill);

        RecordingSink s = new RecordingSink();
        CompletableFuture<RecordingSink> f = async(h, get("/big", "Range", "bytes=0-9,20000-20009"), s);
        await("the 206 head", () -> s.head != null);
        gate.countDown();
        f.get(30, TimeUnit.SECONDS);
        assertEquals(206, s.status());
        String type = s.header("Content-Type");
        assertTrue(type.startsWith("multipart/byteranges; boundary="), type);
        String boundary = type.substring(type.indexOf('=') + 1);
        String text = new String(s.bodyBytes(), StandardCharsets.ISO_8859_1);
        String expected = "--" + boundary + "\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 0-9/40000"
                + "\r\n\r\n" + new String(slice(0, 9), StandardCharsets.ISO_8859_1)
                + "\r\n--" + boundary + "\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes "
                + "20000-20009/40000\r\n\r\n" + new String(slice(20_000, 20_009), StandardCharsets.ISO_8859_1)
                + "\r\n--" + boundary + "--\r\n";
        assertEquals(expected, text);
        assertEquals(expected.length(), s.announcedLength);
        assertTrue(s.completed);
        assertEquals(1, origin.requestCount());
        fill[0].get(30, TimeUnit.SECONDS);
    }

    @Test
    void anUnsatisfiableRangeGets416AtOnceFromTheFillsLength() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        FakeOrigin origin = origin(1, gate, false, true);
        Harness h = new Harness(origin);
        CompletableFuture<?>[] fill = new CompletableFuture<?>[1];
        startFill(h, fill);

        RecordingSink s = async(h, get("/big", "Range", "bytes=50000-60000")).get(30, TimeUnit.SECONDS);
        assertEquals(416, s.status());
        assertEquals("bytes */40000", s.header("Content-Range"));
        assertEquals(1, origin.requestCount());
        gate.countDown();
        fill[0].get(30, TimeUnit.SECONDS);
    }

    @Test
    void aConditionalRangeRequestIsForwardedOnItsOwn() throws Exception {
        // RFC 9110 §13.2.2: If-None-Match is evaluated before Range; the fill does not answer it.
        assertForwardedAloneDuringAFill(true, PipelineConfig.defaults(),
                get("/big", "Range", "bytes=0-9", "If-None-Match", "\"other\""));
    }

    @Test
    void aFillWithoutContentLengthCannotAnswerARangeSoItIsForwarded() throws Exception {
        assertForwardedAloneDuringAFill(false, PipelineConfig.defaults(), get("/big", "Range", "bytes=0-9"));
    }

    @Test
    void theFillContinuesForARangeReaderAfterTheFirstClientLeft() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        FakeOrigin origin = origin(1, gate, false, true);
        // Without the range reader, a leaving first client would abort this fill.
        Harness h = new Harness(origin, PipelineConfig.defaults().withFillOnClientDisconnect(false));
        CompletableFuture<?>[] fill = new CompletableFuture<?>[1];
        RecordingSink leader = startFill(h, fill);

        RecordingSink s = new RecordingSink();
        CompletableFuture<RecordingSink> f = async(h, get("/big", "Range", "bytes=15000-39999"), s);
        await("the 206 head", () -> s.head != null);
        leader.failWrites = true; // the first client goes away at its next write
        gate.countDown();
        f.get(30, TimeUnit.SECONDS);
        fill[0].get(30, TimeUnit.SECONDS);
        assertFalse(leader.completed);
        assertTrue(s.completed);
        assertArrayEquals(slice(15_000, 39_999), s.bodyBytes());
        assertEquals(1, origin.requestCount());
        assertTrue(h.stored("/big").isPresent(), "the fill completed and was stored");
    }

    @Test
    void aRangeReaderThatFallsBehindTheFillContinuesFromTheStoredObject() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        FakeOrigin origin = origin(1, gate, false, true);
        Harness h = new Harness(origin, PipelineConfig.defaults().withMaxFollowerLagBytes(16 * 1024));
        CompletableFuture<?>[] fill = new CompletableFuture<?>[1];
        startFill(h, fill);

        RecordingSink s = new RecordingSink();
        CountDownLatch slowClient = new CountDownLatch(1);
        s.writeGate = slowClient;
        CompletableFuture<RecordingSink> f = async(h, get("/big", "Range", "bytes=100-39999"), s);
        assertTrue(s.writeAttempted.await(30, TimeUnit.SECONDS), "the range client is writing its first bytes");
        gate.countDown(); // the fill runs on while the range client is stuck: more than 16 KiB behind
        fill[0].get(30, TimeUnit.SECONDS);
        slowClient.countDown();
        f.get(30, TimeUnit.SECONDS);
        assertTrue(s.completed);
        assertArrayEquals(slice(100, 39_999), s.bodyBytes());
        assertEquals(1, h.pipeline.stats().followersLagged(), "detached, then continued from the stored entry");
        assertEquals(1, origin.requestCount());
    }

    @Test
    void switchedOffTheRangeIsForwardedAsBefore() throws Exception {
        assertForwardedAloneDuringAFill(true, PipelineConfig.defaults().withRangeFromFill(false),
                get("/big", "Range", "bytes=0-9"));
    }

    @Test
    void aRangeArrivingAfterTheFillWasStoredButBeforeItsFlightEndedIsAHit() throws Exception {
        CountDownLatch open = new CountDownLatch(1);
        open.countDown();
        FakeOrigin origin = origin(1, open, false, true);
        Harness h = new Harness(origin, PipelineConfig.defaults().withMaxFollowerLagBytes(16 * 1024));
        RecordingSink leader = new RecordingSink();
        CountDownLatch lastWrite = new CountDownLatch(1);
        // The leader's client blocks on its last bytes, which are written after the commit: the flight
        // is still registered while the object is already stored. The stored object answers (a guard:
        // the flight must not take a range request away from a hit).
        leader.afterWrite = written -> {
            if (written == 3 * CHUNK) {
                leader.writeGate = lastWrite;
            }
        };
        CompletableFuture<RecordingSink> fill = async(h, get("/big"), leader);
        await("the fill committed", () -> h.stored("/big").isPresent());
        assertEquals(1, h.pipeline.stats().inFlight(), "the flight has not ended yet");

        RecordingSink s = async(h, get("/big", "Range", "bytes=0-9")).get(30, TimeUnit.SECONDS);
        assertEquals(206, s.status());
        assertEquals("HIT", s.outcome);
        assertArrayEquals(slice(0, 9), s.bodyBytes());
        assertEquals(1, origin.requestCount());
        lastWrite.countDown();
        fill.get(30, TimeUnit.SECONDS);
        assertArrayEquals(body, leader.bodyBytes());
    }

    @Test
    void afterTheFillIsStoredARangeIsAHit() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        gate.countDown();
        FakeOrigin origin = origin(1, gate, false, true);
        Harness h = new Harness(origin);
        h.send(get("/big"));
        RecordingSink s = h.send(get("/big", "Range", "bytes=39990-"));
        assertEquals(206, s.status());
        assertEquals("HIT", s.outcome);
        assertArrayEquals(slice(39_990, 39_999), s.bodyBytes());
        assertEquals(1, origin.requestCount());
    }
}
