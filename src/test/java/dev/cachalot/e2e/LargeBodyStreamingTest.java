package dev.cachalot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.Cachalot;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A 2 GiB response generated on the fly by the origin passes through the proxy to a client that
 * discards it, while the heap stays flat: live heap after a full GC at each 512 MiB mark must stay
 * within a small margin of the baseline. Buffering even a quarter of the body would fail this.
 */
class LargeBodyStreamingTest {
    private static final long TWO_GIB = 2L << 30;
    private static final long MARGIN = 96L << 20;

    private TestOrigin origin;
    private Cachalot proxy;

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    @Test
    void twoGibResponsePassesWithFlatHeap() throws Exception {
        byte[] block = new byte[64 * 1024];
        for (int i = 0; i < block.length; i++) {
            block[i] = (byte) ('a' + i % 26);
        }
        origin = new TestOrigin((req, out, s) -> {
            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + TWO_GIB
                    + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            for (long sent = 0; sent < TWO_GIB; sent += block.length) {
                out.write(block);
            }
            out.flush();
        });
        proxy = TestProxy.start(origin.url(), null);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        System.gc();
        long baseline = memory.getHeapMemoryUsage().getUsed();
        HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + proxy.port() + "/big")).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertEquals(String.valueOf(TWO_GIB), r.headers().firstValue("Content-Length").orElse(""));
        List<Long> samples = new ArrayList<>();
        long total = 0;
        long nextMark = 512L << 20;
        byte[] buf = new byte[256 * 1024];
        try (InputStream in = r.body()) {
            int n;
            while ((n = in.read(buf)) != -1) {
                total += n;
                if (total >= nextMark) {
                    System.gc();
                    samples.add(memory.getHeapMemoryUsage().getUsed());
                    nextMark += 512L << 20;
                }
            }
        }
        assertEquals(TWO_GIB, total);
        for (long used : samples) {
            assertTrue(used < baseline + MARGIN, "live heap grew from " + (baseline >> 20) + " MiB to "
                    + (used >> 20) + " MiB: the body is being buffered; samples=" + samples);
        }
        assertTrue(samples.size() >= 3, "samples taken: " + samples);
    }

    @Test
    void largeUploadIsStreamedToTheOrigin() throws Exception {
        long size = 256L << 20;
        long[] received = new long[1];
        // A counting origin that discards the body as it arrives (TestOrigin would keep it).
        try (java.net.ServerSocket ss = new java.net.ServerSocket(0, 8, java.net.InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (java.net.Socket c = ss.accept()) {
                    InputStream in = c.getInputStream();
                    String line;
                    long cl = -1;
                    while (!(line = TestOrigin.readLine(in)).isEmpty()) {
                        if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                            cl = Long.parseLong(line.substring(15).trim());
                        }
                    }
                    byte[] b = new byte[64 * 1024];
                    long got = 0;
                    while (got < cl) {
                        int n = in.read(b, 0, (int) Math.min(b.length, cl - got));
                        if (n < 0) {
                            break;
                        }
                        got += n;
                    }
                    received[0] = got;
                    c.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                            .getBytes(StandardCharsets.ISO_8859_1));
                    c.getOutputStream().flush();
                } catch (Exception e) {
                    // reported through received[0]
                }
            });
            t.start();
            proxy = TestProxy.start("http://127.0.0.1:" + ss.getLocalPort(), null);
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            byte[] block = new byte[64 * 1024];
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + proxy.port() + "/up"))
                    .POST(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(
                            () -> new InputStream() {
                                long left = size;

                                @Override
                                public int read() {
                                    throw new UnsupportedOperationException();
                                }

                                @Override
                                public int read(byte[] b, int off, int len) {
                                    if (left == 0) {
                                        return -1;
                                    }
                                    int n = (int) Math.min(Math.min(len, block.length), left);
                                    left -= n;
                                    return n;
                                }
                            }), size)).build(), HttpResponse.BodyHandlers.ofString());
            t.join(30_000);
            assertEquals(200, r.statusCode());
            assertEquals(size, received[0]);
        }
    }
}
