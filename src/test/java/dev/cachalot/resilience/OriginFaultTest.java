package dev.cachalot.resilience;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.e2e.TestOrigin;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Origin faults end to end, through the whole cache ({@code Cachalot.open}) and a raw-socket origin
 * on loopback: refused connections, a reset in the middle of a body, stalls before the head and in
 * the middle of a body, garbage instead of a status line, and a storm of 5xx answers. Each test
 * checks what the client gets (a complete error with a body, an allowed stale answer, or an aborted
 * response, never a clean short one), that nothing truncated is stored (the next request goes to
 * the origin again), and that an origin connection that saw an error is closed by the cache, not
 * reused (the origin sees end-of-stream on it, and the next request comes on a new connection).
 */
class OriginFaultTest {
    private static final String SHORT_TIMEOUTS = "origin:\n  connectTimeout: 2s\n  responseTimeout: 2s\n";

    @TempDir
    Path dir;

    private TestOrigin origin;
    private CacheUnderTest cache;
    /** Per request target: the origin-side remote port, i.e. which connection it came on. */
    private final Map<String, List<Integer>> connectionsOf = new ConcurrentHashMap<>();

    @AfterEach
    void tearDown() throws Exception {
        if (cache != null) {
            cache.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    private void start(TestOrigin.Handler handler, String topYaml) throws Exception {
        origin = new TestOrigin((req, out, s) -> {
            connectionsOf.computeIfAbsent(req.target(), k -> java.util.Collections.synchronizedList(new ArrayList<>()))
                    .add(s.getPort());
            handler.handle(req, out, s);
        });
        cache = new CacheUnderTest(dir, origin.url(), "", topYaml);
    }

    private static byte[] body(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed + i / 997);
        }
        return b;
    }

    /**
     * Blocks the origin thread until the cache closes this connection: true when the origin sees
     * end-of-stream or a reset, false when a byte arrives instead (the connection was reused for
     * another request) or nothing happens for 30 s.
     */
    private boolean closedByCache(Socket s) {
        try {
            s.setSoTimeout(30_000);
            return s.getInputStream().read() == -1;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    @Test
    void refusedConnectionsGive502WithABodyAndStaleIfErrorServesTheStoredCopy() throws Exception {
        byte[] sie = body(3000, 1);
        // Connection: close, so that no pooled connection outlives the origin's listener.
        start((req, out, s) -> {
            TestOrigin.respond(out, 200, req.target().startsWith("/sie") ? sie : body(100, 2), "Cache-Control",
                    req.target().startsWith("/sie") ? "max-age=1, stale-if-error=600" : "max-age=1",
                    "Connection", "close");
            s.close();
        }, SHORT_TIMEOUTS);
        assertEquals(200, Http1.get(cache.port(), "/sie").status());
        assertEquals(200, Http1.get(cache.port(), "/plain").status());
        cache.awaitHit("/sie");
        cache.awaitHit("/plain");
        // Nothing listens on the origin's port any more: every connection attempt is refused.
        origin.close();
        cache.clock.advance(Duration.ofSeconds(10));

        Http1.Response stale = Http1.get(cache.port(), "/sie");
        assertEquals(200, stale.status(), stale.toString());
        assertTrue(stale.complete(), stale.toString());
        assertArrayEquals(sie, stale.body());
        assertEquals("STALE", stale.header("X-Cache-Status"), stale.toString());

        // Stale without stale-if-error may not be served (RFC 9111 §4.2.4): a 504 that says why.
        Http1.Response noStale = Http1.get(cache.port(), "/plain");
        assertEquals(504, noStale.status(), noStale.toString());
        assertTrue(noStale.complete() && noStale.text().contains("origin unreachable"), noStale.toString());

        for (int i = 0; i < 5; i++) {
            Http1.Response miss = Http1.get(cache.port(), "/never-stored-" + i);
            assertEquals(502, miss.status(), miss.toString());
            assertTrue(miss.complete() && miss.text().contains("refused"), miss.toString());
        }
    }

    @Test
    void aResetInTheMiddleOfAContentLengthBodyAbortsTheClientAndIsNotStored() throws Exception {
        byte[] full = body(200_000, 3);
        CountDownLatch clientHasHead = new CountDownLatch(1);
        start((req, out, s) -> {
            if (origin.requests.get() == 1) {
                write(out, "HTTP/1.1 200 OK\r\nCache-Control: max-age=600\r\nContent-Length: 200000\r\n\r\n");
                out.write(full, 0, 50_000);
                out.flush();
                await(clientHasHead);
                s.setSoLinger(true, 0);
                s.close(); // RST
            } else {
                TestOrigin.respond(out, 200, full, "Cache-Control", "max-age=600");
            }
        }, "");
        Http1.Response cut = Http1.get(cache.port(), "/cut", clientHasHead::countDown);
        assertEquals(200, cut.status(), cut.toString());
        assertEquals(Http1.Ending.ABORTED, cut.ending(), "a cut body must never end cleanly: " + cut);
        assertTrue(cut.body().length < full.length, cut.toString());

        Http1.Response again = Http1.get(cache.port(), "/cut");
        assertEquals(200, again.status(), again.toString());
        assertTrue(again.complete(), again.toString());
        assertArrayEquals(full, again.body());
        assertEquals("MISS", again.header("X-Cache-Status"), "the truncated body was not stored");
        assertEquals(2, origin.requests.get());
        List<Integer> conns = connectionsOf.get("/cut");
        assertNotEquals(conns.get(0), conns.get(1), "the reset connection is not reused");

        cache.awaitHit("/cut");
        assertEquals(2, origin.requests.get(), "the complete body was stored");
    }

    @Test
    void aResetInTheMiddleOfAChunkedBodyAbortsTheClientAndIsNotStored() throws Exception {
        CountDownLatch clientHasHead = new CountDownLatch(1);
        start((req, out, s) -> {
            if (origin.requests.get() == 1) {
                write(out, "HTTP/1.1 200 OK\r\nCache-Control: max-age=600\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\n6\r\n world\r\n");
                await(clientHasHead);
                s.setSoLinger(true, 0);
                s.close();
            } else {
                write(out, "HTTP/1.1 200 OK\r\nCache-Control: max-age=600\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\n6\r\n world\r\n1\r\n!\r\n0\r\n\r\n");
            }
        }, "");
        Http1.Response cut = Http1.get(cache.port(), "/chunks", clientHasHead::countDown);
        assertEquals(200, cut.status(), cut.toString());
        assertEquals(Http1.Ending.ABORTED, cut.ending(), "no last chunk may follow a cut body: " + cut);

        Http1.Response again = Http1.get(cache.port(), "/chunks");
        assertTrue(again.complete(), again.toString());
        assertEquals("hello world!", again.text());
        assertEquals("MISS", again.header("X-Cache-Status"));
        assertEquals(2, origin.requests.get());
        assertEquals(2, origin.connections.get());
    }

    @Test
    void aStallBeforeTheHeadGives504OrStaleIfErrorAndTheConnectionIsClosed() throws Exception {
        byte[] sie = body(500, 4);
        CompletableFuture<Boolean> stalledClosed = new CompletableFuture<>();
        CompletableFuture<Boolean> stalledSieClosed = new CompletableFuture<>();
        java.util.concurrent.atomic.AtomicBoolean stalling = new java.util.concurrent.atomic.AtomicBoolean();
        start((req, out, s) -> {
            if (stalling.get() && req.target().equals("/stall")) {
                stalledClosed.complete(closedByCache(s));
                return;
            }
            if (stalling.get() && req.target().equals("/sie")) {
                stalledSieClosed.complete(closedByCache(s));
                return;
            }
            TestOrigin.respond(out, 200, req.target().equals("/sie") ? sie : "fine".getBytes(StandardCharsets.UTF_8),
                    "Cache-Control", req.target().equals("/sie") ? "max-age=1, stale-if-error=600" : "no-store");
        }, SHORT_TIMEOUTS);
        assertEquals(200, Http1.get(cache.port(), "/sie").status());
        cache.awaitHit("/sie");
        cache.clock.advance(Duration.ofSeconds(10));
        stalling.set(true);

        Http1.Response timedOut = Http1.get(cache.port(), "/stall");
        assertEquals(504, timedOut.status(), timedOut.toString());
        assertTrue(timedOut.complete() && timedOut.text().contains("timed out"), timedOut.toString());
        assertTrue(stalledClosed.get(30, TimeUnit.SECONDS), "the cache closes the stalled origin connection");

        Http1.Response stale = Http1.get(cache.port(), "/sie");
        assertEquals(200, stale.status(), stale.toString());
        assertEquals("STALE", stale.header("X-Cache-Status"), stale.toString());
        assertArrayEquals(sie, stale.body());
        assertTrue(stalledSieClosed.get(30, TimeUnit.SECONDS), "the cache closes the stalled origin connection");

        stalling.set(false);
        int before = origin.connections.get();
        Http1.Response fine = Http1.get(cache.port(), "/stall");
        assertEquals(200, fine.status(), fine.toString());
        assertEquals("fine", fine.text());
        assertEquals(before + 1, origin.connections.get(), "a new connection, not a stalled one");
    }

    @Test
    void aStallInTheMiddleOfTheBodyAbortsTheClientClosesTheOriginConnectionAndIsNotStored() throws Exception {
        byte[] full = body(100_000, 5);
        CompletableFuture<Boolean> closed = new CompletableFuture<>();
        start((req, out, s) -> {
            if (origin.requests.get() == 1) {
                write(out, "HTTP/1.1 200 OK\r\nCache-Control: max-age=600\r\nContent-Length: 100000\r\n\r\n");
                out.write(full, 0, 1000);
                out.flush();
                closed.complete(closedByCache(s));
            } else {
                TestOrigin.respond(out, 200, full, "Cache-Control", "max-age=600");
            }
        }, SHORT_TIMEOUTS);
        Http1.Response cut = Http1.get(cache.port(), "/stall-body");
        assertEquals(200, cut.status(), cut.toString());
        assertEquals(Http1.Ending.ABORTED, cut.ending(), "a stalled body must end as an abort: " + cut);
        assertTrue(cut.body().length <= 1000, cut.toString());
        assertTrue(closed.get(30, TimeUnit.SECONDS), "the cache closes the stalled origin connection");

        Http1.Response again = Http1.get(cache.port(), "/stall-body");
        assertTrue(again.complete(), again.toString());
        assertArrayEquals(full, again.body());
        assertEquals("MISS", again.header("X-Cache-Status"), "the partial body was not stored");
        assertEquals(2, origin.connections.get());
    }

    @Test
    void garbageInsteadOfAStatusLineGives502AndTheConnectionIsNotReused() throws Exception {
        List<String> garbage = List.of(
                "SSH-2.0-OpenSSH_9.6\r\n\r\n",
                "HTTP/1.1 2x0 OK\r\nContent-Length: 2\r\n\r\nok",
                "\u0001\u0002\u0003\u00ff binary\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 12abc\r\n\r\nhello world!",
                "<html>hello</html>\r\n\r\n");
        List<CompletableFuture<Boolean>> closed = new ArrayList<>();
        for (int i = 0; i < garbage.size(); i++) {
            closed.add(new CompletableFuture<>());
        }
        start((req, out, s) -> {
            if (req.target().startsWith("/garbage/")) {
                int i = Integer.parseInt(req.target().substring(9));
                write(out, garbage.get(i));
                // The origin keeps the connection open: only the cache can close it.
                closed.get(i).complete(closedByCache(s));
            } else {
                TestOrigin.respond(out, 200, "good".getBytes(StandardCharsets.UTF_8), "Cache-Control", "no-store");
            }
        }, SHORT_TIMEOUTS);
        for (int i = 0; i < garbage.size(); i++) {
            Http1.Response r = Http1.get(cache.port(), "/garbage/" + i);
            assertEquals(502, r.status(), "garbage " + i + ": " + r);
            assertTrue(r.complete() && r.text().contains("invalid response"), "garbage " + i + ": " + r);
            assertTrue(closed.get(i).get(30, TimeUnit.SECONDS), "garbage " + i + ": the connection is closed");
        }
        Http1.Response good = Http1.get(cache.port(), "/good");
        assertEquals("good", good.text());
        assertEquals(garbage.size() + 1, origin.connections.get(), "every garbage connection was discarded");
    }

    @Test
    void aStormOf5xxIsRelayedCompleteAndStaleIfErrorKeepsServingTheStoredCopy() throws Exception {
        byte[] stored = body(20_000, 6);
        java.util.concurrent.atomic.AtomicBoolean failing = new java.util.concurrent.atomic.AtomicBoolean();
        start((req, out, s) -> {
            if (failing.get()) {
                TestOrigin.respond(out, origin.requests.get() % 2 == 0 ? 500 : 503,
                        "origin busy".getBytes(StandardCharsets.UTF_8), "Retry-After", "5");
            } else if (req.target().equals("/sie")) {
                TestOrigin.respond(out, 200, stored, "Cache-Control", "max-age=1, stale-if-error=600");
            } else {
                TestOrigin.respond(out, 200, "recovered".getBytes(StandardCharsets.UTF_8), "Cache-Control",
                        "max-age=600");
            }
        }, "");
        assertEquals(200, Http1.get(cache.port(), "/sie").status());
        cache.awaitHit("/sie");
        cache.clock.advance(Duration.ofSeconds(10));
        failing.set(true);

        int clients = 24;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<Http1.Response>> sie = new ArrayList<>();
            List<Future<Http1.Response>> same = new ArrayList<>();
            List<Future<Http1.Response>> distinct = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int n = i;
                sie.add(pool.submit(() -> Http1.get(cache.port(), "/sie")));
                same.add(pool.submit(() -> Http1.get(cache.port(), "/storm")));
                distinct.add(pool.submit(() -> Http1.get(cache.port(), "/storm-" + n)));
            }
            for (Future<Http1.Response> f : sie) {
                Http1.Response r = f.get(60, TimeUnit.SECONDS);
                assertEquals(200, r.status(), r.toString());
                assertTrue(r.complete(), r.toString());
                assertArrayEquals(stored, r.body());
                assertEquals("STALE", r.header("X-Cache-Status"), r.toString());
            }
            List<Future<Http1.Response>> errors = new ArrayList<>(same);
            errors.addAll(distinct);
            for (Future<Http1.Response> f : errors) {
                Http1.Response r = f.get(60, TimeUnit.SECONDS);
                assertTrue(r.status() == 500 || r.status() == 503, r.toString());
                assertTrue(r.complete(), r.toString());
                assertEquals("origin busy", r.text(), "the origin's own answer is relayed: " + r);
            }
        } finally {
            pool.shutdownNow();
        }
        assertFalse(origin.requests.get() > 1 + 3 * clients, "no request was retried: " + origin.requests.get());

        failing.set(false);
        Http1.Response r = Http1.get(cache.port(), "/storm");
        assertEquals("recovered", r.text(), "5xx answers were not stored");
        Http1.Response sieAgain = Http1.get(cache.port(), "/sie");
        assertEquals(200, sieAgain.status());
        assertTrue(List.of("MISS", "REVALIDATED").contains(sieAgain.header("X-Cache-Status")), sieAgain.toString());
    }

    @Test
    void aRefusedPortIsRefusedFastForEveryConcurrentClient() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort();
        }
        cache = new CacheUnderTest(dir, "http://127.0.0.1:" + dead, "", SHORT_TIMEOUTS);
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<Http1.Response>> all = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                String path = i % 2 == 0 ? "/same" : "/other-" + i;
                all.add(pool.submit(() -> Http1.get(cache.port(), path)));
            }
            for (Future<Http1.Response> f : all) {
                Http1.Response r = f.get(60, TimeUnit.SECONDS);
                assertEquals(502, r.status(), r.toString());
                assertTrue(r.complete() && r.text().contains("refused"), r.toString());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the client never saw the response head");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
