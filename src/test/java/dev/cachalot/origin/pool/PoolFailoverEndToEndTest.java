package dev.cachalot.origin.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.cachalot.Cachalot;
import dev.cachalot.config.ConfigLoader;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failover end to end, as the issue asks: the assembled cache in front of TWO loopback origins;
 * one is stopped (requests keep succeeding from the other, the stopped one is ejected) and started
 * again on the same port (it comes back through the health checks and gets traffic again); then
 * both are stopped (stale served where the response allows it, 503 with Retry-After otherwise).
 * The waits are bounded polls of the admin {@code /pools} (30 s), never fixed sleeps that a loaded
 * machine could outrun.
 */
class PoolFailoverEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(30)).build();

    /** A loopback origin that can be stopped and started again on the same port. */
    static final class Origin implements AutoCloseable {
        final String name;
        final AtomicInteger requests = new AtomicInteger();
        final AtomicInteger checks = new AtomicInteger();
        final ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "test-origin");
            t.setDaemon(true);
            return t;
        });
        int port;
        HttpServer server;

        Origin(String name) throws IOException {
            this.name = name;
            start(0);
        }

        void start(int onPort) throws IOException {
            BindException last = null;
            // The port was this origin's a moment ago; retry briefly in case the kernel still holds it.
            for (int i = 0; i < 100; i++) {
                try {
                    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 50);
                    last = null;
                    break;
                } catch (BindException e) {
                    last = e;
                    pause(100);
                }
            }
            if (last != null) {
                throw last;
            }
            server.setExecutor(threads);
            server.createContext("/", ex -> {
                String path = ex.getRequestURI().getPath();
                byte[] body;
                if (path.equals("/health")) {
                    checks.incrementAndGet();
                    body = "ok".getBytes(StandardCharsets.US_ASCII);
                } else {
                    requests.incrementAndGet();
                    body = (path.equals("/stale") ? "stale copy from " : "from ").concat(name)
                            .getBytes(StandardCharsets.US_ASCII);
                    // /stale: always stale at once (so every request revalidates at the origin), but may be
                    // served stale for an hour when the origin fails (RFC 5861 §4); /nc: never stored.
                    ex.getResponseHeaders().add("Cache-Control", path.equals("/stale")
                            ? "max-age=0, stale-if-error=3600" : "no-store");
                }
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            port = server.getAddress().getPort();
        }

        void stop() {
            server.stop(0); // closes the listener and every open connection: the port refuses from now on
        }

        String url() {
            return "http://127.0.0.1:" + port;
        }

        @Override
        public void close() {
            server.stop(0);
            threads.shutdownNow();
        }
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private HttpResponse<String> get(String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode pool(String admin) throws Exception {
        return JSON.readTree(get(admin + "/pools").body()).path("pools").path("default");
    }

    private static JsonNode server(JsonNode pool, Origin o) {
        for (JsonNode s : pool.path("servers")) {
            if (s.path("url").asText().equals(o.url())) {
                return s;
            }
        }
        throw new AssertionError("no server " + o.url() + " in " + pool);
    }

    /** Polls {@code /pools} until the condition holds (30 s at most); returns the milliseconds it took. */
    private long await(String admin, Predicate<JsonNode> condition, String what) throws Exception {
        long t0 = System.nanoTime();
        JsonNode p = pool(admin);
        while (!condition.test(p)) {
            if (System.nanoTime() - t0 > Duration.ofSeconds(30).toNanos()) {
                throw new AssertionError("not within 30 s: " + what + "; /pools: " + p);
            }
            pause(20);
            p = pool(admin);
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Test
    void failoverToTheOtherOriginEjectionRecoveryStaleAnd503(@TempDir Path dir) throws Exception {
        try (Origin a = new Origin("A"); Origin b = new Origin("B")) {
            String yaml = "server:\n  listen: 127.0.0.1:0\n  shutdownTimeout: 2s\nadmin:\n  listen: 127.0.0.1:0\n"
                    + "accessLog:\n  enabled: false\n"
                    // Memory only: the stale copy needs a store, not a disk (and Chronicle's start-up is slow).
                    + "store:\n  dir: " + dir.resolve("cache") + "\n  diskEnabled: false\n  memorySize: 16MiB\n"
                    + "  maxObjectSize: 1MiB\n"
                    + "routes:\n  - name: default\n    pool:\n      servers:\n"
                    + "        - url: " + a.url() + "\n        - url: " + b.url() + "\n"
                    + "      maxRetries: 1\n"
                    // Generous timeout and threshold: a loaded machine must not take the healthy origin out.
                    + "      healthCheck:\n        path: /health\n        interval: 1s\n        timeout: 1s\n"
                    + "        healthyThreshold: 1\n        unhealthyThreshold: 3\n"
                    // One error ejects, for an hour: a stopped origin comes back only through its health checks.
                    + "      ejection:\n        consecutiveErrors: 1\n        duration: 1h\n        maxDuration: 1h\n";
            Cachalot c = Cachalot.open(ConfigLoader.parse("failover.yaml", yaml), Clock.systemUTC());
            try {
                String base = "http://127.0.0.1:" + c.port();
                String admin = "http://127.0.0.1:" + c.adminPort();

                // 1. Both up: round-robin spreads the requests; /stale is stored for later.
                await(admin, p -> server(p, a).path("lastCheck").path("passed").asBoolean()
                        && server(p, b).path("lastCheck").path("passed").asBoolean(), "first checks pass");
                assertEquals(200, get(base + "/stale").statusCode());
                for (int i = 0; i < 20; i++) {
                    HttpResponse<String> r = get(base + "/nc");
                    assertEquals(200, r.statusCode(), r.body());
                }
                assertTrue(a.requests.get() >= 9 && b.requests.get() >= 9,
                        "both origins serve: A " + a.requests + ", B " + b.requests);

                // 2. A stops: every request still succeeds (from B); A is ejected.
                a.stop();
                int bBefore = b.requests.get();
                int failed = 0;
                for (int i = 0; i < 40; i++) {
                    HttpResponse<String> r = get(base + "/nc");
                    if (r.statusCode() != 200 || !r.body().equals("from B")) {
                        failed++;
                    }
                }
                assertEquals(0, failed, "requests failed during the failover");
                assertEquals(40, b.requests.get() - bBefore, "B answered every request");
                JsonNode p = pool(admin);
                assertFalse(server(p, a).path("available").asBoolean(), p.toString());
                assertEquals("ejected", server(p, a).path("state").asText(), p.toString());
                assertEquals(1, server(p, a).path("ejections").asInt(), p.toString());
                long retries = p.path("retries").asLong();
                assertTrue(retries >= 1 && retries <= 2, "only the requests that met A before its ejection were"
                        + " retried: " + retries);
                String metrics = get(admin + "/metrics").body();
                assertTrue(metrics.matches("(?s).*cachalot_origin_server_up\\{route=\"default\",server=\""
                        + a.url().replace(".", "\\.") + "\",?\\} 0\\.0.*"), metrics);

                // 3. A starts again on its port: the health checks bring it back and it gets traffic again.
                long restarted = System.nanoTime();
                a.start(a.port);
                long backMs = await(admin, q -> server(q, a).path("available").asBoolean(), "A back");
                int aBefore = a.requests.get();
                for (int i = 0; i < 20; i++) {
                    HttpResponse<String> r = get(base + "/nc");
                    assertEquals(200, r.statusCode(), r.body());
                }
                assertTrue(a.requests.get() - aBefore >= 9, "A serves again: " + (a.requests.get() - aBefore));
                System.out.printf("MEASURED pool failover: %d requests while A was down, %d failed, %d retried;"
                                + " A back %d ms after its restart (health-check interval 1000 ms), first request"
                                + " on A %d ms after restart%n", 40, failed, retries, backMs,
                        (System.nanoTime() - restarted) / 1_000_000);

                // 4. Both down: the stored /stale is served stale (stale-if-error), /nc gets 503 + Retry-After.
                a.stop();
                b.stop();
                HttpResponse<String> stale = get(base + "/stale");
                assertEquals(200, stale.statusCode(), stale.body());
                assertTrue(stale.body().startsWith("stale copy from "), stale.body());
                assertEquals("STALE", stale.headers().firstValue("X-Cache-Status").orElse(""));
                await(admin, q -> q.path("availableServers").asInt() == 0, "both out");
                long noServer = pool(admin).path("noServer").asLong();
                HttpResponse<String> stale2 = get(base + "/stale");
                assertEquals(200, stale2.statusCode(), stale2.body());
                assertEquals("STALE", stale2.headers().firstValue("X-Cache-Status").orElse(""));
                assertEquals(noServer + 1, pool(admin).path("noServer").asLong(),
                        "served stale because no server was healthy");
                HttpResponse<String> down = get(base + "/nc");
                assertEquals(503, down.statusCode(), down.body());
                assertTrue(down.body().contains("no healthy origin server"), down.body());
                long retryAfter = Long.parseLong(down.headers().firstValue("Retry-After").orElse("0"));
                assertEquals(1, retryAfter, "Retry-After: health checks every 1 s, one pass brings a server back");
            } finally {
                c.stop();
            }
        }
    }
}
