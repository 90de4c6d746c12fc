package dev.cachalot.resilience;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.e2e.TestOrigin;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Offered load far above capacity, end to end through the whole cache: a small
 * {@code limits.maxConcurrentRequests}, a slow origin and many concurrent clients. Admitted
 * requests complete, the rest get a complete 503 with Retry-After (never a reset, a hang or another
 * status), nothing refused reaches the origin, the worker threads stay bounded, the server serves
 * normally afterwards, and fresh hits keep being served while slow misses fill the limit.
 */
class OverloadTest {
    @TempDir
    Path dir;

    private TestOrigin origin;
    private CacheUnderTest cache;
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void tearDown() throws Exception {
        release.countDown();
        if (cache != null) {
            cache.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    private static byte[] body(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ('a' + i % 26);
        }
        return b;
    }

    private static void awaitLatch(CountDownLatch latch) {
        try {
            latch.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void assertRefused(Http1.Response r, String retryAfter) {
        assertEquals(503, r.status(), r.toString());
        assertTrue(r.complete(), r.toString());
        assertEquals(retryAfter, r.header("Retry-After"), r.toString());
        assertTrue(r.text().contains("too many concurrent requests"), r.toString());
    }

    @Test
    void freshHitsAreServedWhileSlowMissesFillTheLimitAndFurtherMissesGet503() throws Exception {
        byte[] hot = body(8000);
        CountDownLatch slowInside = new CountDownLatch(4);
        origin = new TestOrigin((req, out, s) -> {
            if (req.target().startsWith("/slow/")) {
                slowInside.countDown();
                awaitLatch(release);
                TestOrigin.respond(out, 200, "slow done".getBytes(StandardCharsets.UTF_8), "Cache-Control", "no-store");
            } else {
                TestOrigin.respond(out, 200, hot, "Cache-Control", "max-age=600");
            }
        });
        cache = new CacheUnderTest(dir, origin.url(), "  limits:\n    maxConcurrentRequests: 4\n    retryAfter: 3s\n", "");
        assertEquals(200, Http1.get(cache.port(), "/hot").status());
        cache.awaitHit("/hot");

        ExecutorService pool = Executors.newFixedThreadPool(44);
        try {
            List<Future<Http1.Response>> admitted = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String path = "/slow/" + i;
                admitted.add(pool.submit(() -> Http1.get(cache.port(), path)));
            }
            assertTrue(slowInside.await(30, TimeUnit.SECONDS), "four slow misses hold the limit");

            List<Future<Http1.Response>> misses = new ArrayList<>();
            List<Future<Http1.Response>> hits = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String path = "/slow/extra-" + i;
                misses.add(pool.submit(() -> Http1.get(cache.port(), path)));
                hits.add(pool.submit(() -> Http1.get(cache.port(), "/hot")));
            }
            for (Future<Http1.Response> f : hits) {
                Http1.Response r = f.get(60, TimeUnit.SECONDS);
                assertEquals(200, r.status(), "a fresh hit is served while the origin is slow: " + r);
                assertTrue(r.complete(), r.toString());
                assertArrayEquals(hot, r.body());
                assertEquals("HIT", r.header("X-Cache-Status"), r.toString());
            }
            for (Future<Http1.Response> f : misses) {
                assertRefused(f.get(60, TimeUnit.SECONDS), "3");
            }
            assertEquals(5, origin.requests.get(), "refused requests never reach the origin");

            release.countDown();
            for (Future<Http1.Response> f : admitted) {
                Http1.Response r = f.get(60, TimeUnit.SECONDS);
                assertEquals(200, r.status(), r.toString());
                assertEquals("slow done", r.text());
            }
        } finally {
            pool.shutdownNow();
        }
        Http1.Response after = Http1.get(cache.port(), "/slow/after");
        assertEquals(200, after.status(), "the limit is free again: " + after);
    }

    @Test
    void offeredLoadFarAboveCapacityGetsOnlyCompleteAnswersOr503AndTheServerRecovers() throws Exception {
        int limit = 6;
        int clients = 32;
        int perClient = 4;
        byte[] payload = body(4096);
        AtomicInteger originInside = new AtomicInteger();
        AtomicInteger originMaxInside = new AtomicInteger();
        origin = new TestOrigin((req, out, s) -> {
            originMaxInside.accumulateAndGet(originInside.incrementAndGet(), Math::max);
            try {
                Thread.sleep(30); // a slow origin: each admitted request holds its slot a while
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            originInside.decrementAndGet();
            TestOrigin.respond(out, 200, payload, "Cache-Control", "no-store");
        });
        cache = new CacheUnderTest(dir, origin.url(),
                "  limits:\n    maxConcurrentRequests: " + limit + "\n    retryAfter: 2s\n", "");
        int threadsBefore = workerThreads();

        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        List<String> other = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
            List<Future<?>> all = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                all.add(pool.submit(() -> {
                    for (int i = 0; i < perClient; i++) {
                        Http1.Response r;
                        try {
                            r = Http1.get(cache.port(), "/load/" + client + "-" + i);
                        } catch (IOException e) {
                            other.add(e.toString());
                            continue;
                        }
                        if (r.status() == 200 && r.complete() && java.util.Arrays.equals(payload, r.body())) {
                            ok.incrementAndGet();
                        } else if (r.status() == 503 && r.complete() && "2".equals(r.header("Retry-After"))) {
                            refused.incrementAndGet();
                        } else {
                            other.add(r.toString());
                        }
                    }
                }));
            }
            for (Future<?> f : all) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(List.of(), other, "every answer is a complete 200 or a 503 with Retry-After");
        assertEquals(clients * perClient, ok.get() + refused.get());
        assertTrue(ok.get() > 0, "some requests were admitted");
        assertEquals(ok.get(), origin.requests.get(), "exactly the admitted requests reached the origin");
        assertTrue(originMaxInside.get() <= limit, "never more than the limit at the origin: " + originMaxInside.get());
        int threadsAfter = workerThreads();
        assertTrue(threadsAfter > 0, "the worker pool's threads are found by name");
        assertTrue(threadsAfter <= Math.max(threadsBefore, limit + 8),
                "worker threads stay within the pool bound: " + threadsAfter);

        // Recovery: nothing is left in progress and the next requests are served.
        CacheUnderTest.await("no request in progress", () -> {
            try {
                return cache.metric("cachalot_pipeline_in_flight", "") == 0.0;
            } catch (IOException e) {
                return false;
            }
        });
        for (int i = 0; i < limit; i++) {
            Http1.Response r = Http1.get(cache.port(), "/after/" + i);
            assertEquals(200, r.status(), r.toString());
            assertTrue(r.complete());
        }
    }

    /** Live threads of the proxy's XNIO worker pool ("cachalot task-N"). */
    private static int workerThreads() {
        int n = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith("cachalot task")) {
                n++;
            }
        }
        return n;
    }
}
