package dev.cachalot.pipeline.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.Cachalot;
import dev.cachalot.config.ConfigLoader;
import dev.cachalot.e2e.TestOrigin;
import dev.cachalot.pipeline.CachingPipeline;
import dev.cachalot.pipeline.PipelineConfig;
import dev.cachalot.policy.PolicyConfig;
import dev.cachalot.policy.RouteOverrides;
import dev.cachalot.store.StoreConfig;
import dev.cachalot.store.TieredCacheStore;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end: the caching pipeline inside the real server (Undertow front end, HttpClient 5 origin
 * client, tiered Caffeine + Chronicle store) in front of a loopback origin started by the test.
 */
class CachingEndToEndTest {
    /** One thread per blocking body reader (the common pool has parallelism 1 on 2 cores; JDK 25 queues on it). */
    private static final java.util.concurrent.ExecutorService READERS = java.util.concurrent.Executors
            .newCachedThreadPool(r -> {
                Thread t = new Thread(r, "body-reader");
                t.setDaemon(true);
                return t;
            });

    @TempDir
    Path dir;

    private TestOrigin origin;
    private TieredCacheStore store;
    private ExecutorService background;
    private Cachalot proxy;
    private final AtomicReference<CachingPipeline> pipeline = new AtomicReference<>();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws Exception {
        origin = new TestOrigin((req, out, s) -> TestOrigin.respond(out, 500, new byte[0]));
        Clock clock = Clock.systemUTC();
        store = TieredCacheStore.open(StoreConfig.builder().directory(dir).diskMaxBytes(64L << 20)
                .maxObjectBytes(32L << 20).diskMaxEntries(10_000).build(), clock);
        PipelineConfig config = PipelineConfig.defaults();
        background = CachingPipeline.newBackgroundExecutor(config);
        String yaml = "server:\n  listen: 127.0.0.1:0\n  shutdownTimeout: 2s\n"
                + "admin:\n  listen: 127.0.0.1:0\n"
                + "routes:\n  - name: default\n    origin: " + origin.url() + "\n";
        proxy = Cachalot.builder(ConfigLoader.parse("test", yaml))
                .clock(clock)
                .processor((originClient, headers, metrics) -> {
                    CachingPipeline p = new CachingPipeline(store, store.memoryTier(), originClient, headers,
                            PolicyConfig.defaults(), route -> RouteOverrides.NONE, config, clock, metrics, background);
                    pipeline.set(p);
                    return p;
                })
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        background.shutdownNow();
        store.close();
        origin.close();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + proxy.port() + path);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 7 + i / 251);
        }
        return b;
    }

    private static void await(String what, java.util.function.BooleanSupplier c) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.yield();
        }
    }

    @Test
    void aMissIsStoredAndTheNextRequestIsAHitWithoutTheOrigin() throws Exception {
        origin.handler((req, out, s) -> TestOrigin.respond(out, 200, "cached body".getBytes(StandardCharsets.UTF_8),
                "Cache-Control", "max-age=60", "ETag", "\"e1\""));
        HttpResponse<String> miss = get("/e2e/a");
        assertEquals(200, miss.statusCode());
        assertEquals("cached body", miss.body());
        assertEquals("MISS", miss.headers().firstValue("X-Cache-Status").orElse(""));
        HttpResponse<String> hit = get("/e2e/a");
        assertEquals("cached body", hit.body());
        assertEquals("HIT", hit.headers().firstValue("X-Cache-Status").orElse(""));
        assertTrue(hit.headers().firstValue("Age").isPresent(), hit.headers().toString());
        assertTrue(hit.headers().firstValue("Cache-Status").orElse("").contains("hit"), hit.headers().toString());
        assertTrue(hit.headers().firstValue("Via").orElse("").contains("cachalot"));
        assertEquals(1, origin.requests.get());

        HttpResponse<String> notModified = client.send(HttpRequest.newBuilder(uri("/e2e/a"))
                .header("If-None-Match", "\"e1\"").build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(304, notModified.statusCode());
        HttpResponse<String> head = client.send(HttpRequest.newBuilder(uri("/e2e/a"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, head.statusCode());
        assertEquals("11", head.headers().firstValue("Content-Length").orElse(""));
        assertEquals(1, origin.requests.get());
    }

    @Test
    void concurrentColdRequestsThroughTheServerMakeOneOriginRequest() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        byte[] body = bytes(300_000);
        origin.handler((req, out, s) -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            TestOrigin.respond(out, 200, body, "Cache-Control", "max-age=60");
        });
        int n = 100;
        List<CompletableFuture<HttpResponse<byte[]>>> all = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            all.add(client.sendAsync(HttpRequest.newBuilder(uri("/e2e/cold")).build(),
                    HttpResponse.BodyHandlers.ofByteArray()));
        }
        await("followers", () -> pipeline.get().stats().followersJoined() == n - 1);
        release.countDown();
        for (CompletableFuture<HttpResponse<byte[]>> f : all) {
            HttpResponse<byte[]> r = f.get(30, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode());
            assertArrayEquals(body, r.body());
        }
        assertEquals(1, origin.requests.get());
    }

    @Test
    void aFollowerStreamsTheBodyWhileTheOriginIsStillSending() throws Exception {
        CountDownLatch rest = new CountDownLatch(1);
        byte[] body = bytes(2_000_000);
        int half = 1_000_000;
        origin.handler((req, out, s) -> {
            out.write(("HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.write(body, 0, half);
            out.flush();
            try {
                rest.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            out.write(body, half, body.length - half);
            out.flush();
        });
        HttpResponse<InputStream> leader = client.send(HttpRequest.newBuilder(uri("/e2e/big")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        // The leader's client paces the origin read (as a pass-through would), so it reads along.
        CompletableFuture<byte[]> leaderBody = CompletableFuture.supplyAsync(() -> {
            try {
                return leader.body().readAllBytes();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, READERS);
        HttpResponse<InputStream> follower = client.send(HttpRequest.newBuilder(uri("/e2e/big")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertTrue(follower.headers().firstValue("Cache-Status").orElse("").contains("collapsed"),
                follower.headers().toString());
        byte[] firstHalf = CompletableFuture.supplyAsync(() -> {
            try {
                return follower.body().readNBytes(half);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, READERS).get(30, TimeUnit.SECONDS);
        assertArrayEquals(java.util.Arrays.copyOf(body, half), firstHalf, "bytes arrive before the origin finished");
        rest.countDown();
        byte[] secondHalf = follower.body().readAllBytes();
        assertEquals(body.length - half, secondHalf.length);
        assertArrayEquals(body, leaderBody.get(30, TimeUnit.SECONDS));
        assertEquals(1, origin.requests.get());
    }

    @Test
    void aBodyCutOffByTheOriginFailsTheClientAndIsNotStored() throws Exception {
        origin.handler((req, out, s) -> {
            if (origin.requests.get() == 1) {
                out.write("HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nContent-Length: 1000\r\n\r\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.write(new byte[100]);
                out.flush();
                s.close();
            } else {
                TestOrigin.respond(out, 200, "complete".getBytes(StandardCharsets.UTF_8), "Cache-Control",
                        "max-age=60");
            }
        });
        // The client sees a failure (an aborted connection, or a 502 if the head was not yet out),
        // never a 200 that ends cleanly with a short body.
        try {
            HttpResponse<String> cut = get("/e2e/cut");
            assertEquals(502, cut.statusCode(), "a truncated body must not be delivered as a complete 200");
        } catch (IOException expected) {
            // the connection was aborted after the head
        }
        HttpResponse<String> again = get("/e2e/cut");
        assertEquals("complete", again.body());
        assertEquals("MISS", again.headers().firstValue("X-Cache-Status").orElse(""));
        assertEquals(2, origin.requests.get());
    }
}

