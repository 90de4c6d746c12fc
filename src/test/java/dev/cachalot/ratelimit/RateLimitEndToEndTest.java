package dev.cachalot.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.Cachalot;
import dev.cachalot.config.ConfigLoader;
import dev.cachalot.e2e.TestOrigin;
import dev.cachalot.testing.MutableClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rate limits through {@link Cachalot#open}, on loopback: 429 with Retry-After for a client over
 * its limit while another is served, X-Forwarded-For believed only from trusted hops, cache hits
 * exempt when configured (and charged when not), route limits, metrics and the outcome word. Time
 * is a test clock that never moves unless the test moves it, so no bucket refills by accident.
 */
class RateLimitEndToEndTest {
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(30)).build();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T12:00:00Z"));

    @TempDir
    Path dir;

    private TestOrigin origin;
    private Cachalot cachalot;

    @AfterEach
    void stop() throws Exception {
        if (cachalot != null) {
            cachalot.stop();
        }
        if (origin != null) {
            origin.close();
        }
    }

    private void start(String cacheControl, String extra) throws Exception {
        origin = new TestOrigin((req, out, s) -> TestOrigin.respond(out, 200,
                ("body of " + req.target()).getBytes(StandardCharsets.UTF_8), "Cache-Control", cacheControl));
        String yaml = "server:\n  listen: 127.0.0.1:0\n  shutdownTimeout: 2s\n" + extra
                + "admin:\n  listen: 127.0.0.1:0\n"
                + "accessLog:\n  enabled: false\n"
                + "store:\n  dir: " + dir.resolve("cache") + "\n  diskSize: 64MiB\n  maxObjectSize: 16MiB\n"
                + "  diskMaxEntries: 1000\n"
                + "routes:\n  - name: default\n    origin: " + origin.url() + "\n";
        cachalot = Cachalot.open(ConfigLoader.parse("test.yaml", yaml), clock);
    }

    private HttpResponse<String> get(String path, String forwardedFor) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cachalot.port() + path))
                .timeout(Duration.ofSeconds(30));
        if (forwardedFor != null) {
            b.header("X-Forwarded-For", forwardedFor);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String metrics() throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cachalot.adminPort() + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** Waits (bounded) until the memory tier holds {@code n} entries: a miss is committed just after its client got it. */
    private void awaitEntries(int n) throws Exception {
        for (int i = 0; i < 600 && !metrics().matches("(?s).*cachalot_store_entries\\{tier=\"memory\",?\\} " + n
                + "\\.0.*"); i++) {
            Thread.sleep(50);
        }
        assertTrue(metrics().matches("(?s).*cachalot_store_entries\\{tier=\"memory\",?\\} " + n + "\\.0.*"),
                "the memory tier never held " + n + " entries");
    }

    @Test
    void aClientOverItsLimitGets429WithRetryAfterWhileAnotherClientIsServed() throws Exception {
        start("no-store", "  trustedProxies: [127.0.0.1/32]\n"
                + "rateLimits:\n  enabled: true\n  client:\n    rate: 1\n    burst: 2\n");
        String a = "203.0.113.7";
        String b = "198.51.100.9";
        assertEquals(200, get("/1", a).statusCode());
        assertEquals(200, get("/2", a).statusCode());
        HttpResponse<String> refused = get("/3", a);
        assertEquals(429, refused.statusCode());
        assertEquals("1", refused.headers().firstValue("Retry-After").orElse(""));
        assertEquals("no-store", refused.headers().firstValue("Cache-Control").orElse(""));
        assertTrue(refused.body().contains("client 203.0.113.7 is over its limit of 1 requests/s (burst 2)"),
                refused.body());
        assertEquals(200, get("/4", b).statusCode(), "another client has its own bucket");
        assertEquals(3, origin.requests.get(), "the refused request never reached the origin");

        clock.advance(Duration.ofSeconds(1));
        assertEquals(200, get("/5", a).statusCode(), "one token is back after a second");
        assertEquals(429, get("/6", a).statusCode());

        String m = metrics();
        assertTrue(m.contains("cachalot_rejections_total{reason=\"rate-limit-client\",} 2.0"), m);
        assertTrue(m.contains("cachalot_requests_total{status_class=\"4xx\",outcome=\"rate-limited\",} 2.0"), m);
        assertTrue(m.contains("cachalot_rate_limit_rejected{scope=\"client\",} 2.0"), m);
        assertTrue(m.contains("cachalot_rate_limit_client_rate 1.0"), m);
        assertTrue(m.contains("cachalot_rate_limit_clients 2.0"), m);
    }

    @Test
    void forwardedForIsIgnoredFromAnUntrustedPeer() throws Exception {
        start("no-store", "rateLimits:\n  enabled: true\n  client:\n    rate: 1\n    burst: 2\n");
        assertEquals(200, get("/1", "203.0.113.7").statusCode());
        assertEquals(200, get("/2", "198.51.100.9").statusCode());
        HttpResponse<String> refused = get("/3", "192.0.2.44");
        assertEquals(429, refused.statusCode(), "a forged X-Forwarded-For does not buy a fresh bucket");
        assertTrue(refused.body().contains("client 127.0.0.1 "), refused.body());
    }

    @Test
    void forwardedForIsReadPastTrustedHopsOnly() throws Exception {
        start("no-store", "  trustedProxies: [127.0.0.1/32, 10.0.0.0/8]\n"
                + "rateLimits:\n  enabled: true\n  client:\n    rate: 1\n    burst: 1\n");
        // The true client is the rightmost untrusted entry: 203.0.113.7 both times (the forged
        // leftmost value differs), so the second request is refused.
        assertEquals(200, get("/1", "1.1.1.1, 203.0.113.7, 10.0.0.5").statusCode());
        HttpResponse<String> refused = get("/2", "2.2.2.2, 203.0.113.7, 10.0.0.6");
        assertEquals(429, refused.statusCode());
        assertTrue(refused.body().contains("client 203.0.113.7 "), refused.body());
    }

    @Test
    void cacheHitsAreExemptWhenConfigured() throws Exception {
        start("max-age=600", "rateLimits:\n  enabled: true\n  exemptHits: true\n  client:\n    rate: 1\n"
                + "    burst: 1\n");
        HttpResponse<String> miss = get("/a", null);
        assertEquals(200, miss.statusCode());
        assertEquals("MISS", miss.headers().firstValue("X-Cache-Status").orElse(""));
        awaitEntries(1);
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> hit = get("/a", null);
            assertEquals(200, hit.statusCode(), "hit " + i + " takes no token");
            assertEquals("HIT", hit.headers().firstValue("X-Cache-Status").orElse(""));
        }
        HttpResponse<String> refused = get("/b", null);
        assertEquals(429, refused.statusCode(), "a miss still needs a token, and the only one went to /a");
        assertEquals(1, origin.requests.get());
        assertTrue(metrics().contains("cachalot_rate_limit_admitted 1.0"));
    }

    @Test
    void cacheHitsAreChargedWhenNotExempt() throws Exception {
        start("max-age=600", "rateLimits:\n  enabled: true\n  client:\n    rate: 1\n    burst: 2\n");
        assertEquals(200, get("/a", null).statusCode());
        awaitEntries(1);
        HttpResponse<String> hit = get("/a", null);
        assertEquals(200, hit.statusCode());
        assertEquals("HIT", hit.headers().firstValue("X-Cache-Status").orElse(""));
        assertEquals(429, get("/a", null).statusCode(), "the third request, a hit, finds the bucket empty");
        assertEquals(1, origin.requests.get());
    }

    @Test
    void aRouteLimitIsSharedByEveryClientOfTheRoute() throws Exception {
        start("no-store", "  trustedProxies: [127.0.0.1/32]\n"
                + "rateLimits:\n  enabled: true\n  routes:\n    - route: default\n      rate: 0.5\n      burst: 2\n");
        assertEquals(200, get("/1", "203.0.113.7").statusCode());
        assertEquals(200, get("/2", "198.51.100.9").statusCode());
        HttpResponse<String> refused = get("/3", "192.0.2.44");
        assertEquals(429, refused.statusCode());
        assertEquals("2", refused.headers().firstValue("Retry-After").orElse(""), "one token per 2 s");
        assertTrue(refused.body().contains("route 'default' is over its limit of 0.5 requests/s (burst 2)"),
                refused.body());
        assertTrue(metrics().contains("cachalot_rejections_total{reason=\"rate-limit-route\",} 1.0"));
        assertTrue(metrics().contains("cachalot_rate_limit_route_rate{route=\"default\",} 0.5"));
    }

    @Test
    void limitsApplyInPassThroughModeToo() throws Exception {
        start("max-age=600", "rateLimits:\n  enabled: true\n  exemptHits: true\n  client:\n    rate: 1\n"
                + "    burst: 1\n"
                + "cache:\n  enabled: false\n");
        assertEquals(200, get("/a", null).statusCode());
        assertEquals(429, get("/a", null).statusCode(), "no cache, so no hits to exempt");
    }
}
