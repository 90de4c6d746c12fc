package dev.cachalot.resilience;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.e2e.TestOrigin;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow and hostile clients against the whole cache: slowloris (a header section trickled byte by
 * byte is cut off by the server's own timeout and never reaches the origin), a reader that stops
 * reading a large body (the cache does not buffer the rest: the origin is held back; other clients
 * are served; when it leaves the fill completes and is stored), and idle connections beyond
 * {@code limits.maxConnections} (refused with 503 + Retry-After and closed, with no thread per
 * connection; idle ones are closed by the idle timeout).
 */
class HostileClientTest {
    private static final long BIG = 64L << 20;

    @TempDir
    Path dir;

    private TestOrigin origin;
    private CacheUnderTest cache;
    private final List<Socket> sockets = new ArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "hostile-client");
        t.setDaemon(true);
        return t;
    });

    @AfterEach
    void tearDown() throws Exception {
        for (Socket s : sockets) {
            s.close();
        }
        pool.shutdownNow();
        if (cache != null) {
            cache.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), cache.port());
        sockets.add(s);
        return s;
    }

    /** Completes with true when the server closes {@code s} (EOF or reset), false after 30 s of silence. */
    private CompletableFuture<Boolean> closedByServer(Socket s) {
        CompletableFuture<Boolean> f = new CompletableFuture<>();
        pool.execute(() -> {
            try {
                s.setSoTimeout(30_000);
                InputStream in = s.getInputStream();
                byte[] buf = new byte[4096];
                while (in.read(buf) != -1) {
                    // a 408 or similar may come first; wait for the close
                }
                f.complete(true);
            } catch (SocketTimeoutException e) {
                f.complete(false);
            } catch (IOException e) {
                f.complete(true);
            }
        });
        return f;
    }

    /** Live threads of the proxy ("cachalot I/O-N", "cachalot task-N", ...). */
    private static int proxyThreads() {
        int n = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.isAlive() && t.getName().startsWith("cachalot")) {
                n++;
            }
        }
        return n;
    }

    @Test
    void slowlorisHeadersAreCutOffByTheServerAndNeverReachTheOrigin() throws Exception {
        origin = TestOrigin.fixed("fine");
        cache = new CacheUnderTest(dir, origin.url(), "  limits:\n    readTimeout: 1s\n", "");
        int attackers = 16;
        List<Socket> slow = new ArrayList<>();
        List<CompletableFuture<Boolean>> closed = new ArrayList<>();
        for (int i = 0; i < attackers; i++) {
            Socket s = connect();
            s.getOutputStream().write("GET /slow HTTP/1.1\r\nHost: test\r\nX-Pad: ".getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            slow.add(s);
            closed.add(closedByServer(s));
        }
        // Trickle one header byte every 100 ms on every connection (each byte resets a plain read
        // timeout) until the server has closed them all, for at most 30 s.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        boolean served = false;
        while (System.nanoTime() < deadline && !closed.stream().allMatch(CompletableFuture::isDone)) {
            for (int i = 0; i < attackers; i++) {
                if (!closed.get(i).isDone()) {
                    try {
                        OutputStream out = slow.get(i).getOutputStream();
                        out.write('a');
                        out.flush();
                    } catch (IOException e) {
                        // closed by the server: the reader reports it
                    }
                }
            }
            if (!served) {
                // A normal client is served while the attack is going on.
                Http1.Response r = Http1.get(cache.port(), "/normal");
                assertEquals(200, r.status(), r.toString());
                assertEquals("fine", r.text());
                served = true;
            }
            Thread.sleep(100);
        }
        for (int i = 0; i < attackers; i++) {
            assertTrue(closed.get(i).get(30, TimeUnit.SECONDS), "slowloris connection " + i + " was closed by the server");
        }
        assertEquals(1, origin.requests.get(), "only the normal request reached the origin");
        Http1.Response after = Http1.get(cache.port(), "/after");
        assertEquals(200, after.status(), after.toString());
    }

    @Test
    void aReaderThatStopsReadingALargeBodyHoldsTheOriginBackAndDoesNotBlockOthers() throws Exception {
        byte[] piece = new byte[64 * 1024];
        for (int i = 0; i < piece.length; i++) {
            piece[i] = (byte) (i * 13);
        }
        AtomicLong written = new AtomicLong();
        AtomicBoolean finished = new AtomicBoolean();
        origin = new TestOrigin((req, out, s) -> {
            if (req.target().equals("/big")) {
                out.write(("HTTP/1.1 200 OK\r\nCache-Control: max-age=600\r\nContent-Length: " + BIG + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                for (long n = 0; n < BIG; n += piece.length) {
                    out.write(piece);
                    written.addAndGet(piece.length);
                }
                out.flush();
                finished.set(true);
            } else {
                TestOrigin.respond(out, 200, "small".getBytes(StandardCharsets.UTF_8), "Cache-Control", "no-store");
            }
        });
        cache = new CacheUnderTest(dir, origin.url(), "", "");
        Socket reader = connect();
        reader.setReceiveBufferSize(64 * 1024);
        reader.getOutputStream().write("GET /big HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        reader.getOutputStream().flush();
        reader.setSoTimeout(30_000);
        InputStream in = reader.getInputStream();
        byte[] first = new byte[1024];
        assertTrue(in.read(first) > 0, "the response started");
        // The reader stops here. Wait until the origin's writes stop advancing (its socket buffers
        // and ours are full), bounded by 30 s; an unbounded buffer in the cache would let the
        // origin write all 64 MiB instead.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long last = -1;
        while (System.nanoTime() < deadline && !finished.get()) {
            long now = written.get();
            if (now == last && now > 0) {
                break;
            }
            last = now;
            Thread.sleep(1000);
        }
        assertTrue(!finished.get() && written.get() < BIG * 3 / 4,
                "the cache buffered the body for a reader that stopped reading: origin wrote " + written.get());

        // Others are served meanwhile.
        List<Future<Http1.Response>> others = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            others.add(pool.submit(() -> Http1.get(cache.port(), "/small")));
        }
        for (Future<Http1.Response> f : others) {
            Http1.Response r = f.get(60, TimeUnit.SECONDS);
            assertEquals("small", r.text(), r.toString());
        }

        // The reader leaves: the fill goes on (pipeline.fillOnClientDisconnect) and is stored whole.
        reader.close();
        CacheUnderTest.await("the origin finished writing", finished::get);
        Http1.Response hit = null;
        for (int i = 0; i < 100; i++) {
            hit = Http1.get(cache.port(), "/big");
            if ("HIT".equals(hit.header("X-Cache-Status"))) {
                break;
            }
            Thread.sleep(100);
        }
        assertEquals("HIT", hit.header("X-Cache-Status"), hit.toString());
        assertTrue(hit.complete() && hit.body().length == BIG, hit.toString());
        assertArrayEquals(java.util.Arrays.copyOfRange(hit.body(), 0, piece.length), piece);
        assertEquals(1 + others.size(), origin.requests.get(), "one origin request for /big");
    }

    @Test
    void connectionsBeyondTheLimitAreRefusedWith503AndCostNoThreads() throws Exception {
        origin = TestOrigin.fixed("fine");
        cache = new CacheUnderTest(dir, origin.url(), "  limits:\n    maxConnections: 40\n    retryAfter: 4s\n", "");
        assertEquals(200, Http1.get(cache.port(), "/warm").status());
        // The warm-up connection must be gone on the server side too, or it takes one of the 40 places.
        CacheUnderTest.await("no open client connection", () -> {
            try {
                return cache.metric("cachalot_open_connections", "") == 0.0;
            } catch (IOException e) {
                return false;
            }
        });
        int threadsBefore = proxyThreads();
        assertTrue(threadsBefore > 0, "the proxy's threads are found by name");
        for (int i = 0; i < 40; i++) {
            connect();
        }
        CacheUnderTest.await("40 open client connections", () -> {
            try {
                return cache.metric("cachalot_open_connections", "") == 40.0;
            } catch (IOException e) {
                return false;
            }
        });
        for (int i = 0; i < 20; i++) {
            Socket extra = connect();
            extra.setSoTimeout(30_000);
            Http1.Response r = Http1.read(new java.io.BufferedInputStream(extra.getInputStream()), false, () -> { });
            assertEquals(503, r.status(), r.toString());
            assertEquals("4", r.header("Retry-After"), r.toString());
            assertTrue(r.complete(), r.toString());
            assertEquals(-1, extra.getInputStream().read(), "the refused connection is closed");
        }
        assertTrue(proxyThreads() <= threadsBefore, "idle connections cost no threads: " + threadsBefore + " -> "
                + proxyThreads());
        assertEquals(1, origin.requests.get());

        for (Socket s : sockets) {
            s.close();
        }
        sockets.clear();
        CacheUnderTest.await("the idle connections are gone", () -> {
            try {
                return cache.metric("cachalot_open_connections", "") == 0.0;
            } catch (IOException e) {
                return false;
            }
        });
        assertEquals("fine", Http1.get(cache.port(), "/after").text());
    }

    @Test
    void idleConnectionsAreClosedByTheIdleTimeout() throws Exception {
        origin = TestOrigin.fixed("fine");
        cache = new CacheUnderTest(dir, origin.url(), "  limits:\n    idleTimeout: 1s\n", "");
        List<CompletableFuture<Boolean>> closed = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            closed.add(closedByServer(connect()));
        }
        // A keep-alive connection that served a request is idle afterwards, too.
        Socket used = connect();
        used.getOutputStream().write("GET /used HTTP/1.1\r\nHost: test\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        used.setSoTimeout(30_000);
        java.io.BufferedInputStream usedIn = new java.io.BufferedInputStream(used.getInputStream());
        assertEquals("fine", new String(Http1.read(usedIn, false, () -> { }).body(), StandardCharsets.UTF_8));
        for (int i = 0; i < closed.size(); i++) {
            assertTrue(closed.get(i).get(60, TimeUnit.SECONDS), "idle connection " + i + " was closed");
        }
        assertEquals(-1, usedIn.read(), "the idle keep-alive connection was closed");
        CacheUnderTest.await("no open client connection", () -> {
            try {
                return cache.metric("cachalot_open_connections", "") == 0.0;
            } catch (IOException e) {
                return false;
            }
        });
        assertEquals("fine", Http1.get(cache.port(), "/after").text());
    }
}
