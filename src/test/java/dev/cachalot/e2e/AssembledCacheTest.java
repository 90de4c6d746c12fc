package dev.cachalot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.Cachalot;
import dev.cachalot.config.ConfigLoader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache as Main assembles it ({@link Cachalot#open}): store, pipeline, metrics, access log and
 * admin endpoints, end to end on loopback.
 */
class AssembledCacheTest {
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private HttpResponse<String> get(String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void missThenHitWithStatsMetricsReadinessAndDrain(@TempDir Path dir) throws Exception {
        try (TestOrigin origin = new TestOrigin((req, out, s) -> TestOrigin.respond(out, 200,
                "hello".getBytes(StandardCharsets.UTF_8), "Cache-Control", "max-age=60"))) {
            String yaml = "server:\n  listen: 127.0.0.1:0\n  shutdownTimeout: 2s\nadmin:\n  listen: 127.0.0.1:0\n"
                    + "store:\n  dir: " + dir.resolve("cache") + "\n  diskSize: 64MiB\n  maxObjectSize: 16MiB\n"
                    + "  diskMaxEntries: 1000\n"
                    + "routes:\n  - name: default\n    origin: " + origin.url() + "\n";
            Cachalot c = Cachalot.open(ConfigLoader.parse("test", yaml), Clock.systemUTC());
            try {
                String base = "http://127.0.0.1:" + c.port();
                String admin = "http://127.0.0.1:" + c.adminPort();
                assertEquals(200, get(admin + "/ready").statusCode());

                HttpResponse<String> miss = get(base + "/hello");
                assertEquals("hello", miss.body());
                assertEquals("MISS", miss.headers().firstValue("X-Cache-Status").orElse(""));
                // The leader commits the entry just after its client has the last byte; a request sent in
                // between joins the ending flight (a collapsed MISS, still one origin request). Wait for the
                // commit so the second request is a plain HIT.
                for (int i = 0; i < 100 && !get(admin + "/metrics").body()
                        .matches("(?s).*cachalot_store_entries\\{tier=\"memory\",?\\} 1\\.0.*"); i++) {
                    Thread.sleep(50);
                }
                HttpResponse<String> hit = get(base + "/hello");
                assertEquals("hello", hit.body());
                assertEquals("HIT", hit.headers().firstValue("X-Cache-Status").orElse(""));
                assertTrue(hit.headers().firstValue("Cache-Status").orElse("").startsWith("Cachalot;hit"));
                assertEquals(1, origin.requests.get());

                // The exchange record is written by a completion listener that may run just after the client
                // has the last byte: wait (briefly, bounded) until both exchanges are recorded.
                String stats = get(admin + "/stats").body();
                for (int i = 0; i < 100 && !stats.replaceAll("\\s", "").contains("\"total\":2"); i++) {
                    Thread.sleep(50);
                    stats = get(admin + "/stats").body();
                }
                assertTrue(stats.contains("\"store\"") && stats.contains("\"pipeline\""), stats);
                // Regression: a MISS streamed with Content-Length counted 0 bytes sent (the exchange completed
                // inside the last write, before the count was updated); 5 + 5 body bytes were sent.
                assertTrue(stats.replaceAll("\\s", "").contains("\"sent\":10"), stats);
                String metrics = get(admin + "/metrics").body();
                assertTrue(metrics.contains("cachalot_store_entries{tier=\"memory\"} 1.0")
                        || metrics.contains("cachalot_store_entries{tier=\"memory\",} 1.0"), metrics);
                assertTrue(metrics.contains("cachalot_origin_pool_max"), "origin pool gauges registered");
            } finally {
                assertTrue(c.stop(), "drained");
            }
            assertTrue(Files.exists(dir.resolve("cache").resolve("clean-shutdown")), "store closed cleanly");
        }
    }
}
