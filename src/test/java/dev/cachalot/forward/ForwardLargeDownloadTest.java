package dev.cachalot.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Large downloads through the forward listener and the caching pipeline, from a loopback origin
 * that generates the body and can hold a download at a gate: the body is streamed (the first client
 * has bytes while the origin is still held), concurrent clients share one origin fetch, the fill
 * continues after the first client disconnects so the next client gets a hit, ranges are served
 * from the stored object, and a range miss during a fill is forwarded at once (it does not wait for
 * the fill). Waits are latches and polls with generous deadlines; nothing asserts on timing.
 */
class ForwardLargeDownloadTest extends CachingForwardFixture {
    private static final long MIB = 1024 * 1024;
    private static final long GATE = 256 * 1024;
    private static final long DEADLINE_MILLIS = 120_000;

    private BigOrigin big;

    @AfterEach
    void stopOrigin() {
        if (big != null) {
            big.close();
        }
    }

    private void start() throws Exception {
        open("cache", 1024 * MIB, 512 * MIB, 10_000);
        big = new BigOrigin();
        startCaching(ForwardConfig.defaults().withAllowDestinations(List.of(Cidr.parse("127.0.0.1/32"))));
    }

    private String url(String path) {
        return "http://127.0.0.1:" + big.port() + path;
    }

    /** What a streaming download saw. */
    record Download(int status, String cacheStatus, String contentRange, long bytes, String sha256) {}

    /**
     * Downloads through the proxy, hashing the body as it arrives; {@code progress} counts body bytes;
     * with {@code stopAfter} >= 0 the connection is closed once that many body bytes were read.
     */
    private Download download(String url, AtomicLong progress, long stopAfter, String... headers) throws IOException {
        String authority = url.replaceFirst("^http://", "").replaceFirst("/.*$", "");
        StringBuilder req = new StringBuilder("GET " + url + " HTTP/1.1\r\nHost: " + authority + "\r\n");
        for (String h : headers) {
            req.append(h).append("\r\n");
        }
        req.append("Connection: close\r\n\r\n");
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), h.port())) {
            s.setSoTimeout((int) DEADLINE_MILLIS);
            s.getOutputStream().write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int state = 0;
            while (state < 4) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("connection closed in the response head: " + head);
                }
                head.write(b);
                state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                        ? state + 1 : 0;
            }
            String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
            int status = Integer.parseInt(lines[0].substring(9, 12));
            long length = -1;
            String cacheStatus = "";
            String contentRange = null;
            for (String l : lines) {
                String lower = l.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(l.substring(15).trim());
                } else if (lower.startsWith("cache-status:")) {
                    cacheStatus = l.substring(13).trim();
                } else if (lower.startsWith("content-range:")) {
                    contentRange = l.substring(14).trim();
                }
            }
            MessageDigest md = BigOrigin.digest();
            byte[] buf = new byte[64 * 1024];
            long got = 0;
            while (length < 0 || got < length) {
                if (stopAfter >= 0 && got >= stopAfter) {
                    return new Download(status, cacheStatus, contentRange, got, null); // client gives up
                }
                int n = in.read(buf);
                if (n < 0) {
                    break;
                }
                md.update(buf, 0, n);
                got += n;
                progress.addAndGet(n);
            }
            return new Download(status, cacheStatus, contentRange, got, HexFormat.of().formatHex(md.digest()));
        }
    }

    private CompletableFuture<Download> downloadAsync(String url, AtomicLong progress, long stopAfter,
                                                      String... headers) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return download(url, progress, stopAfter, headers);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, CLIENTS);
    }

    /**
     * One thread per download. Not the common ForkJoinPool: on a 2-core machine its parallelism is 1,
     * and on JDK 25 CompletableFuture then queues every blocking download behind the first one (the
     * followers never started and the test timed out in CI's Temurin 25 stage).
     */
    private static final java.util.concurrent.ExecutorService CLIENTS = java.util.concurrent.Executors
            .newCachedThreadPool(r -> {
                Thread t = new Thread(r, "download-client");
                t.setDaemon(true);
                return t;
            });

    /** Polls {@code condition} (an end-to-end wait, not a timing assertion) until true or the deadline. */
    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MILLIS);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "timed out waiting for: " + what);
            Thread.sleep(20);
        }
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(DEADLINE_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Test
    void concurrentClientsShareOneStreamedFill() throws Exception {
        start();
        long size = 128 * MIB;
        BigOrigin.Item item = big.add("/images/disk.img", size, GATE);
        String expected = BigOrigin.sha256(0, size);
        AtomicLong first = new AtomicLong();
        CompletableFuture<Download> leader = downloadAsync(url("/images/disk.img"), first, -1);
        assertTrue(item.reachedGate.await(DEADLINE_MILLIS, TimeUnit.MILLISECONDS), "origin sent the first bytes");
        // Streamed, not buffered: the client has the bytes the origin sent while the origin is still held.
        await("the first client to receive the bytes sent so far", () -> first.get() >= GATE);
        List<CompletableFuture<Download>> followers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            followers.add(downloadAsync(url("/images/disk.img"), new AtomicLong(), -1));
        }
        await("three followers to join the flight", () -> pipeline.stats().followersJoined() >= 3);
        item.open();
        Download d = get(leader);
        assertEquals(200, d.status());
        assertEquals(size, d.bytes());
        assertEquals(expected, d.sha256());
        for (CompletableFuture<Download> f : followers) {
            Download fd = get(f);
            assertEquals(200, fd.status());
            assertEquals(size, fd.bytes());
            assertEquals(expected, fd.sha256(), "a follower's body");
            assertTrue(fd.cacheStatus().contains("collapsed"), fd.cacheStatus());
        }
        assertEquals(1, item.full.get(), "one origin fetch for four clients");
        await("the fill to be committed", () -> pipeline.stats().inFlight() == 0);
        Download hit = download(url("/images/disk.img"), new AtomicLong(), -1);
        assertTrue(hit.cacheStatus().contains(";hit"), hit.cacheStatus());
        assertEquals(expected, hit.sha256());
        assertEquals(1, item.full.get());
    }

    @Test
    void fillContinuesAfterTheFirstClientDisconnects() throws Exception {
        start();
        long size = 64 * MIB;
        BigOrigin.Item item = big.add("/iso/tool.iso", size, GATE);
        AtomicLong progress = new AtomicLong();
        Download gaveUp = get(downloadAsync(url("/iso/tool.iso"), progress, 64 * 1024));
        assertTrue(gaveUp.bytes() >= 64 * 1024 && gaveUp.bytes() < size, "the first client left early");
        item.open();
        assertTrue(item.finished.await(DEADLINE_MILLIS, TimeUnit.MILLISECONDS), "the origin sent the whole body");
        await("the fill to be committed", () -> pipeline.stats().inFlight() == 0);
        Download next = download(url("/iso/tool.iso"), new AtomicLong(), -1);
        assertEquals(200, next.status());
        assertTrue(next.cacheStatus().contains(";hit"), next.cacheStatus());
        assertEquals(BigOrigin.sha256(0, size), next.sha256());
        assertEquals(1, item.full.get(), "the disconnect did not cost a second origin fetch");
    }

    @Test
    void withoutFillOnDisconnectTheNextClientFetchesAgain() throws Exception {
        pipelineConfig = pipelineConfig.withFillOnClientDisconnect(false);
        start();
        long size = 8 * MIB;
        BigOrigin.Item item = big.add("/iso/small.iso", size, GATE);
        get(downloadAsync(url("/iso/small.iso"), new AtomicLong(), 64 * 1024));
        item.open();
        await("the abandoned flight to end", () -> pipeline.stats().inFlight() == 0);
        Download next = download(url("/iso/small.iso"), new AtomicLong(), -1);
        assertFalse(next.cacheStatus().contains(";hit"), next.cacheStatus());
        assertEquals(BigOrigin.sha256(0, size), next.sha256());
        assertEquals(2, item.full.get());
    }

    @Test
    void rangeMissIsForwardedWithoutWaitingAndRangesAreServedFromTheStoredObject() throws Exception {
        start();
        long size = 64 * MIB;
        BigOrigin.Item item = big.add("/pool/big.deb", size, GATE);
        CompletableFuture<Download> fill = downloadAsync(url("/pool/big.deb"), new AtomicLong(), -1);
        assertTrue(item.reachedGate.await(DEADLINE_MILLIS, TimeUnit.MILLISECONDS));
        await("the fill's flight", () -> pipeline.stats().inFlight() == 1);
        // A resumed download asks for bytes the fill has not reached: forwarded as a range request at once.
        Download resumed = download(url("/pool/big.deb"), new AtomicLong(), -1, "Range: bytes=50000000-50099999");
        assertEquals(206, resumed.status(), resumed.cacheStatus());
        assertEquals("bytes 50000000-50099999/" + size, resumed.contentRange());
        assertEquals(BigOrigin.sha256(50_000_000, 100_000), resumed.sha256());
        assertFalse(resumed.cacheStatus().contains(";hit"), resumed.cacheStatus());
        assertEquals(1, item.ranges.get());
        assertFalse(fill.isDone(), "the range was answered while the fill was still held at the origin");
        item.open();
        Download full = get(fill);
        assertEquals(BigOrigin.sha256(0, size), full.sha256());
        await("the fill to be committed", () -> pipeline.stats().inFlight() == 0);
        Download cached = download(url("/pool/big.deb"), new AtomicLong(), -1, "Range: bytes=50000000-50099999");
        assertEquals(206, cached.status());
        assertTrue(cached.cacheStatus().contains(";hit"), cached.cacheStatus());
        assertEquals(BigOrigin.sha256(50_000_000, 100_000), cached.sha256());
        Download tail = download(url("/pool/big.deb"), new AtomicLong(), -1, "Range: bytes=-1000");
        assertEquals("bytes " + (size - 1000) + "-" + (size - 1) + "/" + size, tail.contentRange());
        assertEquals(BigOrigin.sha256(size - 1000, 1000), tail.sha256());
        assertEquals(1, item.full.get());
        assertEquals(1, item.ranges.get(), "ranges of the stored object never reach the origin");
    }
}
