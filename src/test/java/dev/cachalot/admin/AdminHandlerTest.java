package dev.cachalot.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cachalot.metrics.DropwizardProxyMetrics;
import dev.cachalot.metrics.ExchangeRecord;
import dev.cachalot.metrics.MetricsOptions;
import dev.cachalot.metrics.PoolStats;
import dev.cachalot.metrics.PromText;
import io.undertow.Undertow;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AdminHandlerTest {
    private static final Instant STARTED = Instant.parse("2026-11-25T12:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient client = HttpClient.newHttpClient();
    private final DropwizardProxyMetrics metrics = new DropwizardProxyMetrics(MetricsOptions.defaults().withJvmMetrics(false));
    private final ReadinessState readiness = new ReadinessState();
    private final AtomicInteger pokes = new AtomicInteger();
    private Undertow server;
    private String base;

    /** Starts the admin handler on 127.0.0.1 (ephemeral port) with a test-only guarded endpoint. */
    private void start(Optional<String> token, StandardEndpoints.StatsDocument stats) {
        AdminRoutes routes = StandardEndpoints.register(new AdminRoutes(), readiness, metrics.prometheus(), stats);
        routes.add(AdminRoute.guardedPost("/test/poke", "test: counts pokes", request -> {
            pokes.incrementAndGet();
            return AdminResponse.json(200, Map.of("poked", pokes.get(), "key", String.valueOf(request.param("key")),
                    "bodyBytes", request.body().length));
        }));
        routes.add(AdminRoute.get("/test/boom", "test: throws", request -> {
            throw new IllegalStateException("boom");
        }));
        server = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(new AdminHandler(routes, token)).build();
        server.start();
        InetSocketAddress addr = (InetSocketAddress) server.getListenerInfo().get(0).getAddress();
        base = "http://127.0.0.1:" + addr.getPort();
    }

    private void start(Optional<String> token) {
        start(token, new StandardEndpoints.StatsDocument(InstantSource.fixed(STARTED.plusSeconds(90)), STARTED,
                metrics::statsSnapshot));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String authorization, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthIsAlwaysOkAndNeverCached() throws Exception {
        start(Optional.empty());
        HttpResponse<String> r = get("/health");
        assertEquals(200, r.statusCode());
        assertEquals("ok\n", r.body());
        assertEquals("text/plain; charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElseThrow());
    }

    @Test
    void headIsAnsweredLikeGetWithoutABody() throws Exception {
        start(Optional.empty());
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/health"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("", r.body());
    }

    @Test
    void readyFollowsTheReadinessState() throws Exception {
        start(Optional.empty());
        HttpResponse<String> starting = get("/ready");
        assertEquals(503, starting.statusCode());
        assertEquals("not ready: starting\n", starting.body());
        readiness.markReady();
        assertEquals(200, get("/ready").statusCode());
        readiness.markNotReady("draining");
        HttpResponse<String> draining = get("/ready");
        assertEquals(503, draining.statusCode());
        assertTrue(draining.body().contains("draining"));
    }

    @Test
    void metricsArePrometheusTextWithTheStandardContentType() throws Exception {
        metrics.exchangeCompleted(new ExchangeRecord(STARTED, "r", "c", "GET", "/", "h", "HTTP/1.1", 200, 0, 7, 1000,
                -1, "HIT", "main"));
        start(Optional.empty());
        HttpResponse<String> r = get("/metrics");
        assertEquals(200, r.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow());
        PromText p = PromText.parse(r.body());
        assertEquals(Optional.of(1.0), p.value("cachalot_requests_total", Map.of("status_class", "2xx", "outcome", "hit")));
        assertEquals(Optional.of(7.0), p.value("cachalot_sent_bytes_total", Map.of()));
    }

    @Test
    void statsIsJsonWithUptimeRequestsPoolsAndExtraSections() throws Exception {
        metrics.exchangeCompleted(new ExchangeRecord(STARTED, "r", "c", "GET", "/", "h", "HTTP/1.1", 200, 0, 7, 1000,
                -1, "MISS", "main"));
        metrics.registerOriginPool("main", () -> new PoolStats(1, 2, 0, 20));
        StandardEndpoints.StatsDocument stats = new StandardEndpoints.StatsDocument(
                InstantSource.fixed(STARTED.plusSeconds(90)), STARTED, metrics::statsSnapshot)
                .section("store", () -> Map.of("entries", 12, "bytes", 3456))
                .section("broken", () -> {
                    throw new IllegalStateException("store offline");
                });
        start(Optional.empty(), stats);
        HttpResponse<String> r = get("/stats");
        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
        JsonNode n = JSON.readTree(r.body());
        assertEquals(90.0, n.get("uptimeSeconds").asDouble());
        assertEquals("2026-11-25T12:00:00Z", n.get("startedAt").asText());
        assertEquals(1, n.at("/requests/total").asInt());
        assertEquals(1, n.at("/requests/byOutcome/miss").asInt());
        assertEquals(1, n.at("/requests/byStatusClass/2xx").asInt());
        assertEquals(7, n.at("/bytes/sent").asInt());
        assertEquals(20, n.at("/pools/main/max").asInt());
        assertEquals(12, n.at("/store/entries").asInt());
        assertTrue(n.at("/broken/error").asText().contains("store offline"));
    }

    @Test
    void unknownPathIsA404Json() throws Exception {
        start(Optional.empty());
        HttpResponse<String> r = get("/nope?x=1");
        assertEquals(404, r.statusCode());
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElseThrow());
        JsonNode n = JSON.readTree(r.body());
        assertEquals("not found", n.get("error").asText());
        assertEquals("/nope", n.get("path").asText());
    }

    @Test
    void wrongMethodIsA405WithAllow() throws Exception {
        start(Optional.of("s3cret-token"));
        HttpResponse<String> r = post("/health", "Bearer s3cret-token", "");
        assertEquals(405, r.statusCode());
        assertEquals("GET, HEAD", r.headers().firstValue("Allow").orElseThrow());
        HttpResponse<String> g = get("/test/poke");
        assertEquals(405, g.statusCode());
        assertEquals("POST", g.headers().firstValue("Allow").orElseThrow());
        assertEquals(0, pokes.get());
    }

    @Test
    void guardedEndpointsAreRefusedWhenNoTokenIsConfigured() throws Exception {
        start(Optional.empty());
        HttpResponse<String> r = post("/test/poke", "Bearer anything", "");
        assertEquals(403, r.statusCode());
        assertEquals("admin token not configured", JSON.readTree(r.body()).get("error").asText());
        assertEquals(403, post("/test/poke", null, "").statusCode());
        assertEquals(0, pokes.get());
    }

    @Test
    void guardedEndpointsNeedTheRightBearerToken() throws Exception {
        start(Optional.of("s3cret-token"));
        HttpResponse<String> missing = post("/test/poke", null, "");
        assertEquals(401, missing.statusCode());
        assertEquals("Bearer realm=\"cachalot-admin\"", missing.headers().firstValue("WWW-Authenticate").orElseThrow());
        HttpResponse<String> wrong = post("/test/poke", "Bearer s3cret-tokeN", "");
        assertEquals(401, wrong.statusCode());
        assertTrue(wrong.headers().firstValue("WWW-Authenticate").orElseThrow().contains("error=\"invalid_token\""));
        assertEquals(401, post("/test/poke", "Bearer s3cret-token-longer", "").statusCode());
        assertEquals(401, post("/test/poke", "Basic czNjcmV0LXRva2Vu", "").statusCode());
        assertEquals(401, post("/test/poke", "Bearer", "").statusCode());
        assertEquals(0, pokes.get());

        HttpResponse<String> ok = post("/test/poke?key=abc", "bearer s3cret-token", "hello");
        assertEquals(200, ok.statusCode());
        JsonNode n = JSON.readTree(ok.body());
        assertEquals(1, n.get("poked").asInt());
        assertEquals("abc", n.get("key").asText());
        assertEquals(5, n.get("bodyBytes").asInt());
    }

    @Test
    void oversizedBodiesAreRefused() throws Exception {
        start(Optional.of("t"));
        HttpResponse<String> r = post("/test/poke", "Bearer t", "x".repeat(AdminHandler.MAX_BODY_BYTES + 1));
        assertEquals(413, r.statusCode());
        assertEquals(0, pokes.get());
    }

    @Test
    void aFailingEndpointIsA500JsonNotADroppedConnection() throws Exception {
        start(Optional.empty());
        HttpResponse<String> r = get("/test/boom");
        assertEquals(500, r.statusCode());
        assertEquals("internal error", JSON.readTree(r.body()).get("error").asText());
    }

    @Test
    void indexListsEveryEndpoint() throws Exception {
        start(Optional.empty());
        JsonNode n = JSON.readTree(get("/").body());
        List<String> paths = JSON.convertValue(n.get("endpoints").findValuesAsText("path"), JSON.getTypeFactory()
                .constructCollectionType(List.class, String.class));
        assertEquals(List.of("/", "/health", "/ready", "/metrics", "/stats", "/test/poke", "/test/boom"), paths);
    }

    @Test
    void blankTokenAndDuplicateRoutesAreConfigurationErrors() {
        assertThrows(IllegalArgumentException.class, () -> new AdminHandler(new AdminRoutes(), Optional.of("  ")));
        AdminRoutes routes = new AdminRoutes().add(AdminRoute.get("/x", "x", r -> AdminResponse.text(200, "x")));
        assertThrows(IllegalArgumentException.class,
                () -> routes.add(AdminRoute.get("/x", "again", r -> AdminResponse.text(200, "y"))));
        assertThrows(IllegalArgumentException.class, () -> AdminRoute.get("x", "no slash", r -> null));
        assertThrows(IllegalArgumentException.class, () -> new AdminRoute("PATCH", "/x", true, "d", r -> null));
    }
}
