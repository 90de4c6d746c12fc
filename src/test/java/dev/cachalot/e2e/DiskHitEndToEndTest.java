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
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Disk-tier hits through the assembled cache with the memory tier off: every hit is a leased,
 * zero-copy view of the mapped chunk file, and the Undertow sink releases each lease once the
 * response is done (GET /stats "diskLeases": nothing outstanding, every lookup's lease released).
 */
class DiskHitEndToEndTest {
    private static final String BODY = "0123456789abcdef".repeat(1024); // 16 KiB: one chunk

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private HttpResponse<String> get(String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void diskHitsAreServedWholeAndReleaseTheirLeases(@TempDir Path dir) throws Exception {
        try (TestOrigin origin = new TestOrigin((req, out, s) -> TestOrigin.respond(out, 200,
                BODY.getBytes(StandardCharsets.UTF_8), "Cache-Control", "max-age=600"))) {
            String yaml = "server:\n  listen: 127.0.0.1:0\n  shutdownTimeout: 2s\nadmin:\n  listen: 127.0.0.1:0\n"
                    + "store:\n  dir: " + dir.resolve("cache") + "\n  diskSize: 64MiB\n  maxObjectSize: 16MiB\n"
                    + "  diskMaxEntries: 1000\n  memorySize: 0\n  memoryMaxObjectSize: 0\n"
                    + "routes:\n  - name: default\n    origin: " + origin.url() + "\n";
            Cachalot c = Cachalot.open(ConfigLoader.parse("test", yaml), Clock.systemUTC());
            try {
                String base = "http://127.0.0.1:" + c.port();
                String admin = "http://127.0.0.1:" + c.adminPort();
                assertEquals(BODY, get(base + "/d").body());
                int hits = 0;
                for (int i = 0; i < 200 && hits < 5; i++) {
                    HttpResponse<String> r = get(base + "/d");
                    assertEquals(BODY, r.body());
                    if ("HIT".equals(r.headers().firstValue("X-Cache-Status").orElse(""))) {
                        hits++;
                    } else {
                        Thread.sleep(20); // the fill commits just after its client had the last byte
                    }
                }
                assertEquals(5, hits);
                assertEquals(1, origin.requests.get());
                // Leases end in the exchange-completion listener, which may run just after the client has
                // the last byte: wait (briefly, bounded) for the count to settle.
                String stats = get(admin + "/stats").body().replaceAll("\\s", "");
                for (int i = 0; i < 200 && !stats.contains("\"outstanding\":0"); i++) {
                    Thread.sleep(20);
                    stats = get(admin + "/stats").body().replaceAll("\\s", "");
                }
                assertTrue(stats.contains("\"diskLeases\":{\"outstanding\":0"), stats);
                assertTrue(stats.matches(".*\"diskLeases\":\\{[^}]*\"acquired\":([5-9]|\\d\\d+).*"), stats);
                assertTrue(stats.matches(".*\"memory\":\\{\"entries\":0.*"), "memory tier off: " + stats);
            } finally {
                assertTrue(c.stop(), "drained");
            }
        }
    }
}
