package dev.cachalot.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cachalot.Cachalot;
import dev.cachalot.config.ConfigLoader;
import dev.cachalot.e2e.TestOrigin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live reload through {@link Cachalot#open(dev.cachalot.config.CachalotConfig, Clock, java.util.function.Supplier)}
 * and the admin {@code POST /reload}: a good file changes a route while a slow request started
 * before it completes normally and the cache keeps its entries; a bad file is refused with the
 * start-up message (file, key, value, rule) and the old configuration keeps serving.
 */
class ReloadEndToEndTest {
    private static final String TOKEN = "reload-test-token";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(30)).build();

    @TempDir
    Path dir;

    private final CountDownLatch slowArrived = new CountDownLatch(1);
    private final CountDownLatch releaseSlow = new CountDownLatch(1);
    private final AtomicInteger aRequests = new AtomicInteger();
    private TestOrigin a;
    private TestOrigin b;
    private Cachalot cachalot;
    private Path file;

    @AfterEach
    void stop() throws Exception {
        releaseSlow.countDown();
        if (cachalot != null) {
            cachalot.stop();
        }
        for (TestOrigin o : new TestOrigin[] {a, b}) {
            if (o != null) {
                o.close();
            }
        }
    }

    private void start() throws Exception {
        a = new TestOrigin((req, out, s) -> {
            aRequests.incrementAndGet();
            if (req.target().equals("/slow")) {
                slowArrived.countDown();
                try {
                    releaseSlow.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            TestOrigin.respond(out, 200, ("A " + req.target()).getBytes(StandardCharsets.UTF_8),
                    "Cache-Control", req.target().equals("/cached") ? "max-age=600" : "no-store");
        });
        b = new TestOrigin((req, out, s) -> TestOrigin.respond(out, 200,
                ("B " + req.target()).getBytes(StandardCharsets.UTF_8), "Cache-Control", "no-store"));
        file = dir.resolve("cachalot.yaml");
        Files.writeString(file, yaml(a, ""));
        cachalot = Cachalot.open(ConfigLoader.load(file), Clock.systemUTC(), () -> ConfigLoader.load(file));
    }

    /**
     * Two routes, {@code a} (origin A) and {@code b} (origin B), for the hosts a.test and b.test; requests to
     * 127.0.0.1 take the default route {@code defaultRoute}. Switching it, or a route's origin servers,
     * is a reloadable route change.
     */
    private String yaml(TestOrigin defaultRoute, String extra) {
        return "server:\n  listen: 127.0.0.1:0\n  shutdownTimeout: 5s\n  defaultRoute: "
                + (defaultRoute == a ? "a" : "b") + "\n"
                + "admin:\n  listen: 127.0.0.1:0\n  token: " + TOKEN + "\n"
                + "accessLog:\n  enabled: false\n"
                + "store:\n  dir: " + dir.resolve("cache") + "\n  diskSize: 64MiB\n  maxObjectSize: 16MiB\n"
                + "  diskMaxEntries: 1000\n"
                + "routes:\n  - name: a\n    hosts: [a.test]\n    origin: " + a.url() + "\n"
                + "  - name: b\n    hosts: [b.test]\n    origin: " + b.url() + "\n" + extra;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cachalot.port() + path))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> reload(String token) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cachalot.adminPort()
                + "/reload")).timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            r.header("Authorization", "Bearer " + token);
        }
        return client.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String metrics() throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + cachalot.adminPort() + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private void awaitMemoryEntries(int n) throws Exception {
        String want = "(?s).*cachalot_store_entries\\{tier=\"memory\",?\\} " + n + "\\.0.*";
        for (int i = 0; i < 600 && !metrics().matches(want); i++) {
            Thread.sleep(50);
        }
        assertTrue(metrics().matches(want), "the memory tier never held " + n + " entries");
    }

    @Test
    void aGoodFileChangesTheRouteWithoutDroppingAnInFlightRequestOrTheCache() throws Exception {
        start();
        HttpResponse<String> miss = get("/cached");
        assertEquals("A /cached", miss.body());
        assertEquals("MISS", miss.headers().firstValue("X-Cache-Status").orElse(""));
        awaitMemoryEntries(1);
        CompletableFuture<HttpResponse<String>> slow = client.sendAsync(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + cachalot.port() + "/slow")).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(slowArrived.await(60, TimeUnit.SECONDS), "the slow request reached origin A");

        // Route to B, and change a restart-only key: it is reported, not applied.
        Files.writeString(file, yaml(b, "").replace("diskMaxEntries: 1000", "diskMaxEntries: 2000"));
        HttpResponse<String> r = reload(TOKEN);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("applied", body.get("status").asText());
        assertEquals("[\"server.defaultRoute\"]", body.get("changed").toString());
        assertEquals("[\"store\"]", body.get("restartRequired").toString());

        assertEquals("B /fresh", get("/fresh").body(), "new requests follow the new route");
        releaseSlow.countDown();
        HttpResponse<String> done = slow.get(60, TimeUnit.SECONDS);
        assertEquals(200, done.statusCode());
        assertEquals("A /slow", done.body(), "the request in flight finished on the route it started with");

        HttpResponse<String> hit = get("/cached");
        assertEquals("HIT", hit.headers().firstValue("X-Cache-Status").orElse(""), "the cache kept its entry");
        assertEquals("A /cached", hit.body());
        assertEquals(1000, cachalot.runningConfig().store().diskMaxEntries(),
                "a restart-only key keeps its running value");
        assertEquals("b", cachalot.runningConfig().server().defaultRoute());
        assertTrue(metrics().contains("cachalot_config_reloads{result=\"applied\",} 1.0"));
    }

    @Test
    void aBadFileIsRejectedNamingKeyValueAndRuleAndTheOldConfigurationKeepsServing() throws Exception {
        start();
        assertEquals("A /x", get("/x").body());
        Files.writeString(file, yaml(b, "rateLimits:\n  enabled: true\n  client:\n    rate: 5\n    brust: 10\n"));
        HttpResponse<String> r = reload(TOKEN);
        assertEquals(422, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("rejected", body.get("status").asText());
        assertEquals(file.toString(), body.get("source").asText());
        assertEquals("rateLimits.client.brust", body.get("key").asText());
        assertEquals("10", body.get("value").asText());
        assertEquals("unknown key", body.get("rule").asText());
        assertEquals("bad configuration: " + file + ": rateLimits.client.brust = 10: unknown key",
                body.get("error").asText(), "the message start-up prints");
        assertEquals("A /y", get("/y").body(), "the running configuration stays");

        Files.writeString(file, yaml(a, "").replace("origin: " + a.url(), "origin: ftp://127.0.0.1:1"));
        JsonNode second = JSON.readTree(reload(TOKEN).body());
        assertEquals("routes[0].origin", second.get("key").asText());
        assertEquals("ftp://127.0.0.1:1", second.get("value").asText());
        assertTrue(second.get("rule").asText().startsWith("must be an http(s) URL"), second.toString());
        assertEquals("A /z", get("/z").body());
        assertTrue(metrics().contains("cachalot_config_reloads{result=\"rejected\",} 2.0"));
    }

    @Test
    void aRoutesOriginServersAreReloadedWithTheirMetricsAndTheRemovedServerGetsNothingMore() throws Exception {
        start();
        assertEquals("A /x", get("/x").body());
        assertTrue(metrics().contains("cachalot_origin_server_up{route=\"a\",server=\"" + a.url() + "\",} 1.0"),
                metrics());
        Files.writeString(file, yaml(a, "").replace("    origin: " + a.url() + "\n",
                "    pool:\n      servers:\n        - url: " + b.url() + "\n"));
        HttpResponse<String> r = reload(TOKEN);
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("[\"routes\"]", body.get("changed").toString());
        assertEquals("[]", body.get("restartRequired").toString());
        int before = aRequests.get();
        for (int i = 0; i < 3; i++) {
            assertEquals("B /y" + i, get("/y" + i).body(), "route a is served by its new server");
        }
        assertEquals(before, aRequests.get(), "the removed server gets nothing more");
        assertEquals(b.url(), cachalot.runningConfig().routes().get(0).origin());
        String m = metrics();
        assertTrue(m.contains("cachalot_origin_server_up{route=\"a\",server=\"" + b.url() + "\",} 1.0"), m);
        assertFalse(m.contains("route=\"a\",server=\"" + a.url() + "\""), "the removed server's gauges are gone");
    }

    @Test
    void reloadNeedsTheAdminToken() throws Exception {
        start();
        Files.writeString(file, yaml(b, ""));
        assertEquals(401, reload(null).statusCode());
        assertEquals(401, reload("wrong").statusCode());
        assertEquals("A /x", get("/x").body(), "nothing was reloaded");
    }

    @Test
    void rateLimitsAndTrustedProxiesCanBeSwitchedOnByAReload() throws Exception {
        start();
        for (int i = 0; i < 3; i++) {
            assertEquals(200, get("/free" + i).statusCode());
        }
        Files.writeString(file, yaml(a, "rateLimits:\n  enabled: true\n  client:\n    rate: 1\n    burst: 1\n")
                .replace("  shutdownTimeout: 5s\n", "  shutdownTimeout: 5s\n  trustedProxies: [127.0.0.1]\n"));
        JsonNode body = JSON.readTree(reload(TOKEN).body());
        assertEquals("[\"server.trustedProxies\",\"rateLimits\"]", body.get("changed").toString());
        assertEquals(200, get("/1").statusCode());
        HttpResponse<String> refused = get("/2");
        assertEquals(429, refused.statusCode());
        HttpResponse<String> other = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + cachalot.port() + "/3")).header("X-Forwarded-For", "203.0.113.7").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, other.statusCode(), "the reloaded trusted proxy makes X-Forwarded-For count");

        Files.writeString(file, yaml(a, ""));
        assertEquals(200, reload(TOKEN).statusCode());
        assertEquals(200, get("/4").statusCode(), "limits off again");
    }
}
