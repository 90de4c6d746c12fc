package dev.cachalot.pipeline;

import static dev.cachalot.pipeline.Harness.get;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.http.RequestHead;
import dev.cachalot.origin.OriginException;
import dev.cachalot.pipeline.FakeOrigin.Script;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Request collapsing: one origin fetch per key, streamed to every waiter; Vary, hit-for-miss, lag, timeouts. */
class RequestCollapsingTest {
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() throws InterruptedException {
        threads.shutdownNow();
        threads.awaitTermination(10, TimeUnit.SECONDS);
    }

    private CompletableFuture<RecordingSink> async(Harness h, RequestHead head) {
        return async(h, head, new RecordingSink());
    }

    /** Runs one request on another thread into {@code sink} (prepared by the caller); completes with it. */
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

    /** Waits (bounded, without sleeping) until the condition holds. */
    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.yield();
        }
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    @Test
    void thousandConcurrentRequestsForAColdKeyMakeExactlyOneOriginRequest() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        byte[] body = bytes(40_000, 7);
        FakeOrigin origin = new FakeOrigin(r -> {
            Script s = new Script();
            s.headers = dev.cachalot.http.HeaderFields.of("Cache-Control", "max-age=60");
            s.chunks(java.util.Arrays.copyOfRange(body, 0, 20_000), java.util.Arrays.copyOfRange(body, 20_000, 40_000));
            return s.holdHead(release);
        });
        Harness h = new Harness(origin);
        ExecutorService pool = Executors.newFixedThreadPool(1000);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<RecordingSink>> all = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                all.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        go.await();
                        return h.send(get("/cold"));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, pool));
            }
            go.countDown();
            // Hold the origin until every other request is waiting on the leader's flight.
            await("999 followers", () -> h.pipeline.stats().followersJoined() == 999);
            release.countDown();
            int collapsed = 0;
            for (CompletableFuture<RecordingSink> f : all) {
                RecordingSink s = f.get(60, TimeUnit.SECONDS);
                assertEquals(200, s.status());
                assertTrue(s.completed);
                assertArrayEquals(body, s.bodyBytes());
                if (s.header("Cache-Status").contains("collapsed")) {
                    collapsed++;
                }
            }
            assertEquals(1, origin.requestCount(), "exactly one origin request for 1,000 concurrent misses");
            assertEquals(999, collapsed);
        } finally {
            pool.shutdownNow();
        }
        assertEquals(0, h.pipeline.stats().inFlight());
    }

    @Test
    void followersReceiveTheFirstBytesBeforeTheOriginFinishedSending() throws Exception {
        CountDownLatch head = new CountDownLatch(1);
        CountDownLatch secondChunk = new CountDownLatch(1);
        byte[] first = "first-part|".getBytes(StandardCharsets.UTF_8);
        byte[] second = "second-part".getBytes(StandardCharsets.UTF_8);
        FakeOrigin origin = new FakeOrigin(r -> {
            Script s = Script.ok("", "Cache-Control", "max-age=60").chunks(first, second);
            return s.holdHead(head).gateChunk(1, secondChunk);
        });
        Harness h = new Harness(origin);
        CompletableFuture<RecordingSink> leader = async(h, get("/stream"));
        assertTrue(origin.awaitRequests(1));
        RecordingSink follower = new RecordingSink();
        CompletableFuture<RecordingSink> f = async(h, get("/stream"), follower);
        await("the follower to join", () -> h.pipeline.stats().followersJoined() == 1);
        head.countDown();

        assertTrue(follower.firstBytes.await(20, TimeUnit.SECONDS), "follower got bytes while the origin is held");
        assertEquals("first-part|", follower.bodyText());
        assertEquals(0, origin.bodiesFinished(), "the origin has not finished sending");
        assertFalse(follower.completed);

        secondChunk.countDown();
        f.get(20, TimeUnit.SECONDS);
        assertEquals("first-part|second-part", follower.bodyText());
        assertTrue(follower.completed);
        assertTrue(follower.header("Cache-Status").contains("collapsed"));
        assertEquals("first-part|second-part", leader.get(20, TimeUnit.SECONDS).bodyText());
        assertEquals(1, origin.requestCount());
        assertTrue(h.stored("/stream").isPresent());
    }

    @Test
    void aCutOffBodyAbortsEveryFollowerAndIsNotStored() throws Exception {
        CountDownLatch head = new CountDownLatch(1);
        FakeOrigin origin = new FakeOrigin(r -> Script.ok("partial", "Cache-Control", "max-age=60")
                .length(1000).cut().holdHead(head));
        Harness h = new Harness(origin);
        CompletableFuture<RecordingSink> leader = async(h, get("/cut"));
        assertTrue(origin.awaitRequests(1));
        List<CompletableFuture<RecordingSink>> followers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            followers.add(async(h, get("/cut")));
        }
        await("3 followers", () -> h.pipeline.stats().followersJoined() == 3);
        head.countDown();
        assertTrue(leader.get(20, TimeUnit.SECONDS).aborted);
        for (CompletableFuture<RecordingSink> f : followers) {
            RecordingSink s = f.get(20, TimeUnit.SECONDS);
            // Aborted mid-stream, or (when it attached after the cut) a 502: never a complete-looking response.
            assertTrue(s.aborted || s.status() == 502, "follower got " + s.status());
            assertFalse(s.completed);
        }
        assertTrue(h.stored("/cut").isEmpty());
        assertEquals(1, origin.requestCount());
    }

    /**
     * Conformance response-bad-chunk-not-stored: a request sent after the previous client already saw the
     * cut-off (while the leader is still finishing its flight) is a new request, not a sharer of the failure.
     */
    @Test
    void aRequestArrivingAfterTheCutOffFetchesAfresh() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        FakeOrigin origin = new FakeOrigin(r -> calls.incrementAndGet() == 1
                ? Script.ok("partial", "Cache-Control", "max-age=60").length(1000).cut()
                : Script.ok("complete", "Cache-Control", "max-age=60"));
        Harness h = new Harness(origin);
        RecordingSink leaderSink = new RecordingSink();
        leaderSink.errorGate = new CountDownLatch(1);
        CompletableFuture<RecordingSink> leader = async(h, get("/late"), leaderSink);
        assertTrue(leaderSink.done.await(20, TimeUnit.SECONDS));
        assertTrue(leaderSink.aborted, "the first client saw the cut-off");
        RecordingSink late = h.send(get("/late"));
        assertEquals(200, late.status());
        assertEquals("complete", late.bodyText());
        assertEquals(2, origin.requestCount());
        leaderSink.errorGate.countDown();
        leader.get(20, TimeUnit.SECONDS);
    }

    /** Conformance age-list-first-member-stale: a response already stale on arrival is not shared. */
    @Test
    void aResponseStaleOnArrivalIsNotSharedWithFollowers() throws Exception {
        CountDownLatch head = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        FakeOrigin origin = new FakeOrigin(r -> {
            if (calls.incrementAndGet() == 1) {
                return Script.ok("old", "Cache-Control", "max-age=3600", "Age", "7200").holdHead(head);
            }
            return Script.ok("new", "Cache-Control", "max-age=3600");
        });
        Harness h = new Harness(origin);
        CompletableFuture<RecordingSink> leader = async(h, get("/s"));
        assertTrue(origin.awaitRequests(1));
        CompletableFuture<RecordingSink> follower = async(h, get("/s"));
        await("the follower to join", () -> h.pipeline.stats().followersJoined() == 1);
        head.countDown();
        assertEquals("old", leader.get(20, TimeUnit.SECONDS).bodyText());
        RecordingSink f = follower.get(20, TimeUnit.SECONDS);
        assertEquals("new", f.bodyText(), "the follower must not reuse a stale response without validation");
        assertEquals(2, origin.requestCount());
    }

    @Test
    void anUncacheableAnswerReleasesTheFollowersAtOnce() throws Exception {
        CountDownLatch head = new CountDownLatch(1);
        CountDownLatch leaderBody = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        FakeOrigin origin = new FakeOrigin(r -> {
            if (calls.incrementAndGet() == 1) {
                return Script.ok("mine", "Cache-Control", "private").holdHead(head).gateChunk(0, leaderBody);
            }
            return Script.ok("yours", "Cache-Control", "private");
        });
        Harness h = new Harness(origin);
        CompletableFuture<RecordingSink> leader = async(h, get("/u"));
        assertTrue(origin.awaitRequests(1));
        CompletableFuture<RecordingSink> follower = async(h, get("/u"));
        await("the follower to join", () -> h.pipeline.stats().followersJoined() == 1);
        head.countDown();
        // The leader's body is still held, yet the follower goes to the origin itself and finishes.
        RecordingSink f = follower.get(20, TimeUnit.SECONDS);
        assertEquals("yours", f.bodyText());
        assertEquals(2, origin.requestCount());
        assertFalse(leader.isDone());
        leaderBody.countDown();
        assertEquals("mine", leader.get(20, TimeUnit.SECONDS).bodyText());

        // Hit-for-miss: the next request is not collapsed behind anyone.
        h.send(get("/u"));
        assertEquals(1, h.pipeline.stats().hitForMissPasses());
    }

    @Test
    void aFollowerWhoseVaryValuesDoNotMatchFetchesOnItsOwn() throws Exception {
        CountDownLatch head = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        FakeOrigin origin = new FakeOrigin(r -> {
            Script s = Script.ok("enc=" + r.headers().first("Accept-Encoding"), "Cache-Control", "max-age=60",
                    "Vary", "Accept-Encoding");
            return calls.incrementAndGet() == 1 ? s.holdHead(head) : s;
        });
        Harness h = new Harness(origin);
        CompletableFuture<RecordingSink> leader = async(h, get("/v", "Accept-Encoding", "gzip"));
        assertTrue(origin.awaitRequests(1));
        CompletableFuture<RecordingSink> same = async(h, get("/v", "Accept-Encoding", "gzip"));
        CompletableFuture<RecordingSink> other = async(h, get("/v", "Accept-Encoding", "br"));
        await("2 followers", () -> h.pipeline.stats().followersJoined() == 2);
        head.countDown();
        assertEquals("enc=gzip", leader.get(20, TimeUnit.SECONDS).bodyText());
        RecordingSink s = same.get(20, TimeUnit.SECONDS);
        assertEquals("enc=gzip", s.bodyText());
        assertTrue(s.header("Cache-Status").contains("collapsed"));
        RecordingSink o = other.get(20, TimeUnit.SECONDS);
        assertEquals("enc=br", o.bodyText(), "the br follower must not get the gzip variant");
        assertEquals(2, origin.requestCount());
    }

    @Test
    void aSlowFollowerIsDetachedAndCompletesFromTheStore() throws Exception {
        CountDownLatch head = new CountDownLatch(1);
        CountDownLatch rest = new CountDownLatch(1);
        byte[] body = bytes(200_000, 3);
        FakeOrigin origin = new FakeOrigin(r -> {
            Script s = Script.ok("", "Cache-Control", "max-age=60");
            List<byte[]> parts = new ArrayList<>();
            for (int i = 0; i < body.length; i += 10_000) {
                parts.add(java.util.Arrays.copyOfRange(body, i, i + 10_000));
            }
            s.chunks(parts.toArray(new byte[0][]));
            return s.holdHead(head).gateChunk(1, rest);
        });
        Harness h = new Harness(origin, PipelineConfig.defaults().withMaxFollowerLagBytes(16 * 1024));
        CompletableFuture<RecordingSink> leader = async(h, get("/big"));
        assertTrue(origin.awaitRequests(1));
        RecordingSink slow = new RecordingSink();
        CountDownLatch slowGate = new CountDownLatch(1);
        slow.writeGate = slowGate;
        CompletableFuture<RecordingSink> f = async(h, get("/big"), slow);
        await("the follower to join", () -> h.pipeline.stats().followersJoined() == 1);
        head.countDown();
        // The follower is attached and stuck writing the first chunk; now let the origin send the rest.
        assertTrue(slow.writeAttempted.await(20, TimeUnit.SECONDS));
        rest.countDown();
        RecordingSink l = leader.get(20, TimeUnit.SECONDS);
        assertArrayEquals(body, l.bodyBytes(), "the leader is never held back by a slow follower");
        slowGate.countDown();
        f.get(20, TimeUnit.SECONDS);
        assertEquals(1, h.pipeline.stats().followersLagged());
        assertTrue(slow.completed);
        assertArrayEquals(body, slow.bodyBytes(), "the lagging follower continued from the stored entry");
        assertEquals(1, origin.requestCount());
    }

    @Test
    void aFollowerStopsWaitingAfterTheCollapseTimeoutAndFetchesItself() throws Exception {
        CountDownLatch head = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        FakeOrigin origin = new FakeOrigin(r -> calls.incrementAndGet() == 1
                ? Script.ok("slow", "Cache-Control", "max-age=60").holdHead(head)
                : Script.ok("quick", "Cache-Control", "max-age=60"));
        Harness h = new Harness(origin, PipelineConfig.defaults().withCollapseWait(Duration.ofMillis(1)));
        CompletableFuture<RecordingSink> leader = async(h, get("/slow"));
        assertTrue(origin.awaitRequests(1));
        RecordingSink follower = h.send(get("/slow"));
        assertEquals("quick", follower.bodyText());
        assertEquals(1, h.pipeline.stats().followerTimeouts());
        head.countDown();
        assertEquals("slow", leader.get(20, TimeUnit.SECONDS).bodyText());
    }

    @Test
    void followersShareAnOriginFailure() throws Exception {
        CountDownLatch head = new CountDownLatch(1);
        FakeOrigin origin = new FakeOrigin(r -> Script.fail(OriginException.Kind.CONNECT_REFUSED).holdHead(head));
        Harness h = new Harness(origin);
        CompletableFuture<RecordingSink> leader = async(h, get("/down"));
        assertTrue(origin.awaitRequests(1));
        CompletableFuture<RecordingSink> follower = async(h, get("/down"));
        await("the follower to join", () -> h.pipeline.stats().followersJoined() == 1);
        head.countDown();
        assertEquals(502, leader.get(20, TimeUnit.SECONDS).status());
        assertEquals(502, follower.get(20, TimeUnit.SECONDS).status());
        assertEquals(1, origin.requestCount());
    }

    @Test
    void staleRevalidationsAreCollapsedToo() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch head = new CountDownLatch(1);
        FakeOrigin origin = new FakeOrigin(r -> calls.incrementAndGet() == 1
                ? Script.ok("v", "Cache-Control", "max-age=10", "ETag", "\"1\"")
                : Script.status(304, "", "Cache-Control", "max-age=10", "ETag", "\"1\"").holdHead(head));
        Harness h = new Harness(origin);
        h.send(get("/sr"));
        h.clock.advance(Duration.ofSeconds(20));
        CompletableFuture<RecordingSink> leader = async(h, get("/sr"));
        assertTrue(origin.awaitRequests(2));
        List<CompletableFuture<RecordingSink>> followers = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            followers.add(async(h, get("/sr")));
        }
        await("5 followers", () -> h.pipeline.stats().followersJoined() == 5);
        head.countDown();
        assertEquals("REVALIDATED", leader.get(20, TimeUnit.SECONDS).outcome);
        for (CompletableFuture<RecordingSink> f : followers) {
            RecordingSink s = f.get(20, TimeUnit.SECONDS);
            assertEquals("v", s.bodyText());
            assertEquals("HIT", s.outcome, "followers look the updated entry up again");
        }
        assertEquals(2, origin.requestCount());
    }

    @Test
    void aLateFollowerThatCannotStartAtByteZeroIsServedFromTheStoreOnceCommitted() throws Exception {
        CountDownLatch last = new CountDownLatch(1);
        byte[] body = bytes(30_000, 5);
        FakeOrigin origin = new FakeOrigin(r -> Script.ok("", "Cache-Control", "max-age=60")
                .chunks(java.util.Arrays.copyOfRange(body, 0, 10_000), java.util.Arrays.copyOfRange(body, 10_000, 20_000),
                        java.util.Arrays.copyOfRange(body, 20_000, 30_000))
                .gateChunk(2, last));
        Harness h = new Harness(origin, PipelineConfig.defaults().withMaxFollowerLagBytes(16 * 1024));
        RecordingSink leaderSink = new RecordingSink();
        CompletableFuture<RecordingSink> leader = async(h, get("/late"), leaderSink);
        await("the leader to pass the lag window", () -> leaderSink.bodyBytes().length >= 20_000);
        CompletableFuture<RecordingSink> late = async(h, get("/late"));
        await("the late follower to join", () -> h.pipeline.stats().followersJoined() == 1);
        last.countDown();
        leader.get(20, TimeUnit.SECONDS);
        RecordingSink s = late.get(20, TimeUnit.SECONDS);
        assertArrayEquals(body, s.bodyBytes());
        assertEquals("HIT", s.outcome, "it waited for the commit and looked the key up again");
        assertEquals(1, origin.requestCount());
    }
}
