package dev.cachalot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.Cachalot;
import dev.cachalot.Main;
import dev.cachalot.config.CachalotConfig;
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
 * Purge and the forward proxy as {@link Cachalot#open} wires them from real configuration objects
 * (the YAML loader and {@link Main}'s command line), end to end on loopback.
 */
class WiredPurgeAndForwardTest {
    private static final String TOKEN = "s3cret-token";

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;

    private HttpResponse<String> get(String url) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> adminPurge(Cachalot c, String json, String token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + c.adminPort() + "/purge"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return client.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Waits (bounded) until the memory tier holds {@code n} entries: the leader commits just after its client. */
    private void awaitEntries(Cachalot c, int n) throws Exception {
        String admin = "http://127.0.0.1:" + c.adminPort();
        for (int i = 0; i < 100 && !get(admin + "/metrics").body()
                .matches("(?s).*cachalot_store_entries\\{tier=\"memory\",?\\} " + n + "\\.0.*"); i++) {
            Thread.sleep(50);
        }
    }

    private String yaml(TestOrigin origin, String extra) {
        return "server:\n  listen: 127.0.0.1:0\n  shutdownTimeout: 2s\n"
                + "admin:\n  listen: 127.0.0.1:0\n  token: " + TOKEN + "\n"
                + "store:\n  dir: " + dir.resolve("cache") + "\n  diskSize: 64MiB\n  maxObjectSize: 16MiB\n"
                + "  diskMaxEntries: 1000\n"
                + "routes:\n  - name: default\n    origin: " + origin.url() + "\n" + extra;
    }

    private static TestOrigin cacheableOrigin() throws Exception {
        return new TestOrigin((req, out, s) -> TestOrigin.respond(out, 200,
                ("body of " + req.target()).getBytes(StandardCharsets.UTF_8), "Cache-Control", "max-age=600",
                "Surrogate-Key", "product-42 catalog"));
    }

    @Test
    void purgeMethodIs405ByDefaultAndAdminPurgeMakesTheNextRequestAMiss() throws Exception {
        try (TestOrigin origin = cacheableOrigin()) {
            Cachalot c = Cachalot.open(ConfigLoader.parse("test", yaml(origin, "")), Clock.systemUTC());
            try {
                String base = "http://127.0.0.1:" + c.port();
                HttpResponse<String> miss = get(base + "/p");
                assertEquals("MISS", miss.headers().firstValue("X-Cache-Status").orElse(""));
                assertFalse(miss.headers().firstValue("Surrogate-Key").isPresent(), "tag field stripped by default");
                awaitEntries(c, 1);
                assertEquals("HIT", get(base + "/p").headers().firstValue("X-Cache-Status").orElse(""));
                assertEquals(1, origin.requests.get());

                // PURGE is off by default: 405 from Cachalot itself, never forwarded, nothing purged.
                RawClient.Reply purgeMethod = RawClient.send(c.port(), "PURGE /p HTTP/1.1\r\nHost: 127.0.0.1:"
                        + c.port() + "\r\nConnection: close\r\n\r\n");
                assertEquals(405, purgeMethod.status(), purgeMethod.text());
                assertTrue(purgeMethod.body().contains("purge.enabled"), purgeMethod.text());
                assertEquals(1, origin.requests.get(), "PURGE never reaches the origin");
                assertEquals("HIT", get(base + "/p").headers().firstValue("X-Cache-Status").orElse(""));

                // Admin purge: the token is required; with it the URL's every variant is removed.
                String url = "http://127.0.0.1:" + c.port() + "/p";
                assertEquals(401, adminPurge(c, "{\"url\": \"" + url + "\"}", null).statusCode());
                HttpResponse<String> purged = adminPurge(c, "{\"url\": \"" + url + "\"}", TOKEN);
                assertEquals(200, purged.statusCode(), purged.body());
                assertTrue(purged.body().replaceAll("\\s", "").contains("\"purged\":1"), purged.body());

                HttpResponse<String> after = get(base + "/p");
                assertEquals("MISS", after.headers().firstValue("X-Cache-Status").orElse(""));
                assertEquals("body of /p", after.body());
                assertEquals(2, origin.requests.get(), "the purged object was fetched again");
            } finally {
                assertTrue(c.stop(), "drained");
            }
        }
    }

    @Test
    void passThroughHasNothingToPurgeButStillAnswersPurgeItself() throws Exception {
        try (TestOrigin origin = cacheableOrigin()) {
            Cachalot c = Cachalot.open(ConfigLoader.parse("test", yaml(origin,
                    "cache:\n  enabled: false\npurge:\n  enabled: true\n")), Clock.systemUTC());
            try {
                HttpResponse<String> r = get("http://127.0.0.1:" + c.port() + "/p");
                assertEquals("body of /p", r.body());
                assertFalse(r.headers().firstValue("Surrogate-Key").isPresent(), "tag field stripped in pass-through");
                RawClient.Reply purgeMethod = RawClient.send(c.port(), "PURGE /p HTTP/1.1\r\nHost: 127.0.0.1:"
                        + c.port() + "\r\nConnection: close\r\n\r\n");
                assertEquals(405, purgeMethod.status(), purgeMethod.text());
                assertTrue(purgeMethod.body().contains("cache.enabled"), purgeMethod.text());
                assertEquals(1, origin.requests.get(), "PURGE never reaches the origin");
                assertEquals(404, adminPurge(c, "{\"url\": \"http://127.0.0.1/p\"}", TOKEN).statusCode(),
                        "no store, no /purge endpoint");
            } finally {
                assertTrue(c.stop(), "drained");
            }
        }
    }

    private static RawClient.Reply forwardGet(Cachalot c, TestOrigin origin, String path) throws Exception {
        String authority = "127.0.0.1:" + origin.port();
        return RawClient.send(c.forwardPort(), "GET http://" + authority + path + " HTTP/1.1\r\nHost: " + authority
                + "\r\nConnection: close\r\n\r\n");
    }

    @Test
    void forwardListenerFromTheCommandLineServesALoopbackOriginWithTheExceptionAndCaches() throws Exception {
        try (TestOrigin origin = cacheableOrigin()) {
            Path file = dir.resolve("cachalot.yaml");
            Files.writeString(file, yaml(origin, ""));
            CachalotConfig config = Main.configFrom("--config", file.toString(), "--forward-listen", "127.0.0.1:0",
                    "--allow-destination", "127.0.0.1/32");
            Cachalot c = Cachalot.open(config, Clock.systemUTC());
            try {
                assertTrue(c.forwardPort() > 0 && c.forwardPort() != c.port());
                RawClient.Reply first = forwardGet(c, origin, "/f");
                assertEquals(200, first.status(), first.text());
                assertEquals("body of /f", first.body());
                assertTrue(first.text().contains("X-Cache-Status: MISS"), first.text());
                assertFalse(first.text().contains("Surrogate-Key"), "the forward listener strips tag fields too");
                assertEquals(1, origin.requests.get());
                assertEquals("/f", origin.last().target(), "origin-form towards the origin");
                awaitEntries(c, 1);
                RawClient.Reply second = forwardGet(c, origin, "/f");
                assertEquals(200, second.status(), second.text());
                assertEquals("body of /f", second.body());
                assertTrue(second.text().contains("X-Cache-Status: HIT"), second.text());
                assertEquals(1, origin.requests.get(), "second request answered from the cache");
            } finally {
                assertTrue(c.stop(), "drained");
            }
            Cachalot without = Cachalot.open(ConfigLoader.parse("test", yaml(origin, "")), Clock.systemUTC());
            try {
                assertEquals(-1, without.forwardPort(), "no forward listener unless configured");
            } finally {
                assertTrue(without.stop(), "drained");
            }
        }
    }

    @Test
    void forwardListenerFromTheConfigFileRefusesALoopbackDestinationWithoutTheException() throws Exception {
        try (TestOrigin origin = cacheableOrigin()) {
            Cachalot c = Cachalot.open(ConfigLoader.parse("test", yaml(origin, "forward:\n  listen: 127.0.0.1:0\n")),
                    Clock.systemUTC());
            try {
                assertTrue(c.forwardPort() > 0);
                RawClient.Reply r = forwardGet(c, origin, "/f");
                assertEquals(403, r.status(), r.text());
                assertEquals(0, origin.requests.get(), "a refused destination is never contacted");
            } finally {
                assertTrue(c.stop(), "drained");
            }
        }
    }
}
