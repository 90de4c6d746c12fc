package dev.cachalot.purge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cachalot.Cachalot;
import dev.cachalot.admin.AdminHandler;
import dev.cachalot.admin.AdminResponse;
import dev.cachalot.admin.AdminRoute;
import dev.cachalot.admin.AdminRoutes;
import dev.cachalot.config.ConfigLoader;
import dev.cachalot.e2e.TestOrigin;
import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.RequestHead;
import dev.cachalot.pipeline.StoreAdapter;
import dev.cachalot.pipeline.CachingPipeline;
import dev.cachalot.pipeline.PipelineConfig;
import dev.cachalot.policy.PolicyConfig;
import dev.cachalot.policy.RouteOverrides;
import dev.cachalot.store.StoreConfig;
import dev.cachalot.store.StoreKey;
import dev.cachalot.store.TieredCacheStore;
import dev.cachalot.testing.MutableClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Purge through the real doors: the admin listener ({@code POST /purge}, bearer token) and the
 * {@code PURGE} method on the public listener, in front of the real caching pipeline, tiered store
 * and a loopback origin that counts requests and answers conditionals. Time is a test clock.
 */
class PurgeEndToEndTest {
    private static final String TOKEN = "test-token-0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T12:00:00Z"));
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final AtomicBoolean originFails = new AtomicBoolean();
    private TestOrigin origin;
    private TieredCacheStore store;
    private ExecutorService background;
    private Cachalot proxy;
    private PurgeService purge;
    /** Paths the origin answers slowly: it sends the head and half the body, then waits for this. */
    private final CountDownLatch releaseSlow = new CountDownLatch(1);
    private final CountDownLatch slowRequested = new CountDownLatch(1);

    /** Starts origin, store, pipeline (wrapped by the PURGE decorator) and admin with the purge routes. */
    private void start(PurgeConfig purgeConfig, Optional<String> adminToken) throws Exception {
        origin = new TestOrigin((req, out, s) -> {
            if (req.target().startsWith("/slow") && req.header("If-None-Match") == null) {
                out.write(("HTTP/1.1 200 OK\r\nContent-Length: 10\r\nETag: \"v1\"\r\n"
                        + "Cache-Control: max-age=600, stale-if-error=600\r\n\r\n12345")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                slowRequested.countDown();
                try {
                    releaseSlow.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                out.write("67890".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            } else if (originFails.get()) {
                TestOrigin.respond(out, 500, "down".getBytes(StandardCharsets.UTF_8));
            } else if ("\"v1\"".equals(req.header("If-None-Match"))) {
                TestOrigin.respond(out, 304, new byte[0], "ETag", "\"v1\"",
                        "Cache-Control", "max-age=600, stale-if-error=600");
            } else {
                TestOrigin.respond(out, 200, ("body of " + req.target()).getBytes(StandardCharsets.UTF_8),
                        "ETag", "\"v1\"", "Cache-Control", "max-age=600, stale-if-error=600",
                        "Surrogate-Key", req.target().startsWith("/img/") ? "img all" : "product-42 all",
                        "Cache-Tag", "t1,t2");
            }
        });
        store = TieredCacheStore.open(StoreConfig.builder().directory(dir).diskMaxBytes(16L << 20)
                .maxObjectBytes(8L << 20).diskMaxEntries(1_000).build(), clock);
        PipelineConfig pc = PipelineConfig.defaults();
        background = CachingPipeline.newBackgroundExecutor(pc);
        PolicyConfig policy = PolicyConfig.defaults();
        purge = new PurgeService(store, policy, authority -> RouteOverrides.NONE, clock, BanList.open(dir, clock),
                purgeConfig.tagHeaders());
        PurgeService purge = this.purge;
        AdminRoutes routes = PurgeEndpoints.register(new AdminRoutes(), purge);
        // Stand-ins for two standard endpoints, for the cachalotctl tests.
        routes.add(AdminRoute.get("/health", "liveness", r -> AdminResponse.text(200, "ok")));
        routes.add(AdminRoute.get("/stats", "summary", r -> AdminResponse.json(200, Map.of("uptimeSeconds", 1))));
        String yaml = "server:\n  listen: 127.0.0.1:0\n  shutdownTimeout: 2s\n"
                + "admin:\n  listen: 127.0.0.1:0\n"
                + "routes:\n  - name: default\n    origin: " + origin.url() + "\n"
                // The tag fields are stripped by the ProxyHeaders the server builds from purge.* in the config.
                + "purge:\n  tagHeaders: [" + String.join(", ", purgeConfig.tagHeaders()) + "]\n"
                + "  stripTagHeaders: " + purgeConfig.stripTagHeaders() + "\n";
        proxy = Cachalot.builder(ConfigLoader.parse("test", yaml))
                .clock(clock)
                .adminEndpoints(state -> new AdminHandler(routes, adminToken))
                .processor((originClient, headers, metrics) -> PurgeMethodProcessor.wrap(
                        new CachingPipeline(store, store.memoryTier(), originClient, headers, policy,
                                route -> RouteOverrides.NONE, pc, clock, metrics, background,
                                dev.cachalot.pipeline.OriginAdmission.ALL, purge.gate()),
                        purge, purgeConfig, route -> RouteOverrides.NONE))
                .start();
    }

    private void start() throws Exception {
        start(PurgeConfig.DEFAULTS, Optional.of(TOKEN));
    }

    @AfterEach
    void stop() throws Exception {
        releaseSlow.countDown();
        if (proxy != null) {
            proxy.close();
        }
        if (background != null) {
            background.shutdownNow();
        }
        if (store != null) {
            store.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    private String url(String path) {
        return "http://127.0.0.1:" + proxy.port() + path;
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url(path))).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String cacheStatus(HttpResponse<?> r) {
        return r.headers().firstValue("X-Cache-Status").orElse("");
    }

    private HttpResponse<String> admin(String method, String path, String body, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.adminPort() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> purgeApi(String body) throws Exception {
        return admin("POST", "/purge", body, "Bearer " + TOKEN);
    }

    private HttpResponse<String> purgeMethod(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url(path)))
                .method("PURGE", HttpRequest.BodyPublishers.noBody());
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Waits until the response to {@code path} is committed: the client may have the whole body a
     * moment before the leader commits it to the store.
     */
    private void awaitStored(String path) {
        StoreKey key = StoreAdapter.primaryKey(new RequestHead("GET", "http", "127.0.0.1:" + proxy.port(), path,
                "HTTP/1.1", HeaderFields.empty()));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (store.listVariants(key).stream().noneMatch(k -> store.lookup(k, clock.instant()).isPresent())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + path + " to be stored");
            }
            Thread.yield();
        }
    }

    /** Stores /a (one origin request) and checks that the next request is a hit. */
    private void cacheA() throws Exception {
        assertEquals("MISS", cacheStatus(get("/a")));
        awaitStored("/a");
        assertEquals("HIT", cacheStatus(get("/a")));
        assertEquals(1, origin.requests.get());
    }

    @Test
    void adminPurgeMakesTheNextRequestAMissAndIsAudited() throws Exception {
        start();
        cacheA();
        try (AuditCapture audit = new AuditCapture()) {
            HttpResponse<String> r = purgeApi("{\"url\": \"" + url("/a") + "\", \"soft\": false}");
            assertEquals(200, r.statusCode(), r.body());
            JsonNode j = JSON.readTree(r.body());
            assertEquals(1, j.get("purged").intValue());
            assertEquals(false, j.get("soft").booleanValue());
            assertEquals(List.of("purge who=127.0.0.1 via=admin mode=hard url=" + url("/a") + " purged=1 failed=0"),
                    audit.lines());
        }
        HttpResponse<String> after = get("/a");
        assertEquals("MISS", cacheStatus(after));
        assertEquals("body of /a", after.body());
        assertEquals(2, origin.requests.get());
    }

    @Test
    void adminSoftPurgeRevalidatesTheNextRequestAndServesStaleWhenTheOriginFails() throws Exception {
        start();
        cacheA();
        clock.advance(Duration.ofSeconds(5));
        HttpResponse<String> r = purgeApi("{\"url\": \"" + url("/a") + "\", \"soft\": true}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(true, JSON.readTree(r.body()).get("soft").booleanValue());
        assertEquals(1, JSON.readTree(r.body()).get("purged").intValue());

        HttpResponse<String> revalidated = get("/a");
        assertEquals("REVALIDATED", cacheStatus(revalidated));
        assertEquals("body of /a", revalidated.body());
        assertEquals(2, origin.requests.get());
        assertEquals("\"v1\"", origin.last().header("If-None-Match"), "the origin saw a conditional request");
        assertEquals("HIT", cacheStatus(get("/a")), "the 304 made it fresh again");

        purgeApi("{\"url\": \"" + url("/a") + "\", \"soft\": true}");
        originFails.set(true);
        HttpResponse<String> stale = get("/a");
        assertEquals(200, stale.statusCode());
        assertEquals("STALE", cacheStatus(stale));
        assertEquals("body of /a", stale.body());
        assertEquals(3, origin.requests.get());
    }

    @Test
    void purgeEndpointsNeedTheBearerToken() throws Exception {
        start();
        cacheA();
        String body = "{\"url\": \"" + url("/a") + "\"}";
        HttpResponse<String> none = admin("POST", "/purge", body, null);
        assertEquals(401, none.statusCode());
        assertEquals("Bearer realm=\"cachalot-admin\"", none.headers().firstValue("WWW-Authenticate").orElse(""));
        HttpResponse<String> wrong = admin("POST", "/purge", body, "Bearer not-the-token");
        assertEquals(401, wrong.statusCode());
        assertEquals(401, admin("GET", "/keys", null, null).statusCode());
        assertEquals("HIT", cacheStatus(get("/a")), "nothing was purged");
    }

    @Test
    void withoutAConfiguredTokenPurgeIsRefused() throws Exception {
        start(PurgeConfig.DEFAULTS, Optional.empty());
        cacheA();
        HttpResponse<String> r = admin("POST", "/purge", "{\"url\": \"" + url("/a") + "\"}", "Bearer " + TOKEN);
        assertEquals(403, r.statusCode());
        assertEquals("HIT", cacheStatus(get("/a")));
    }

    @Test
    void badBodiesAnswer400AndPurgeNothing() throws Exception {
        start();
        cacheA();
        String[][] bad = {
                {"{\"tag\": \"a b\"}", "one tag"},
                {"{\"prefix\": \"/img/\"}", "prefix must be absolute"},
                {"{\"host\": \"h:80\"}", "without scheme, port"},
                {"{\"tag\": \"\"}", "non-empty string"},
                {"not json", "not valid JSON"},
                {"[1]", "JSON object"},
                {"{}", "exactly one of"},
                {"{\"url\": \"" + url("/a") + "\", \"tag\": \"t\"}", "exactly one of"},
                {"{\"url\": \"" + url("/a") + "\", \"soft\": \"yes\"}", "soft must be"},
                {"{\"url\": \"" + url("/a") + "\", \"hard\": true}", "unknown field 'hard'"},
                {"{\"url\": 5}", "non-empty string"},
                {"{\"url\": \"/a\"}", "absolute"},
        };
        for (String[] c : bad) {
            HttpResponse<String> r = purgeApi(c[0]);
            assertEquals(400, r.statusCode(), c[0]);
            assertTrue(r.body().contains(c[1]), c[0] + " -> " + r.body());
        }
        assertEquals("HIT", cacheStatus(get("/a")), "nothing was purged");
    }

    @Test
    void tagFieldsAreStrippedFromEveryClientResponseButKeptInTheStore() throws Exception {
        start();
        HttpResponse<String> miss = get("/a");
        awaitStored("/a");
        HttpResponse<String> hit = get("/a");
        assertEquals("HIT", cacheStatus(hit));
        for (HttpResponse<String> r : List.of(miss, hit)) {
            assertTrue(r.headers().firstValue("Surrogate-Key").isEmpty(), r.headers().toString());
            assertTrue(r.headers().firstValue("Cache-Tag").isEmpty(), r.headers().toString());
        }
        StoreKey key = StoreAdapter.primaryKey(new RequestHead("GET", "http", "127.0.0.1:" + proxy.port(), "/a",
                "HTTP/1.1", HeaderFields.empty()));
        assertEquals("product-42 all", store.lookup(store.listVariants(key).get(0), clock.instant()).orElseThrow()
                .head().firstValue("Surrogate-Key"));
    }

    @Test
    void tagFieldsReachClientsWhenStrippingIsOff() throws Exception {
        start(PurgeConfig.of(false, List.of(), List.of("Surrogate-Key"), false), Optional.of(TOKEN));
        assertEquals("product-42 all", get("/a").headers().firstValue("Surrogate-Key").orElse(""));
    }

    @Test
    void purgeMethodIsRefusedWith405WhileDisabledAndNeverForwarded() throws Exception {
        start(PurgeConfig.DEFAULTS, Optional.of(TOKEN));
        cacheA();
        try (AuditCapture audit = new AuditCapture()) {
            HttpResponse<String> r = purgeMethod("/a");
            assertEquals(405, r.statusCode());
            assertTrue(r.body().contains("disabled"), r.body());
            assertEquals(1, audit.lines().size());
            assertTrue(audit.lines().get(0).contains("reason=disabled"), audit.lines().toString());
        }
        assertEquals(1, origin.requests.get());
        assertEquals("HIT", cacheStatus(get("/a")));
    }

    @Test
    void purgeMethodFromAnAllowedAddressPurgesTheRequestUrl() throws Exception {
        start(PurgeConfig.of(true, List.of("127.0.0.1/32", "::1/128"), List.of(), true), Optional.of(TOKEN));
        cacheA();
        assertEquals("MISS", cacheStatus(get("/b")));
        awaitStored("/b");
        HttpResponse<String> r = purgeMethod("/a");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(1, JSON.readTree(r.body()).get("purged").intValue());
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""));
        assertEquals(2, origin.requests.get(), "PURGE itself never reaches the origin");
        assertEquals("MISS", cacheStatus(get("/a")));
        assertEquals("HIT", cacheStatus(get("/b")), "other URLs untouched");
        assertEquals(3, origin.requests.get());
    }

    @Test
    void softPurgeMethodRevalidates() throws Exception {
        start(PurgeConfig.of(true, List.of("127.0.0.1/32"), List.of(), true), Optional.of(TOKEN));
        cacheA();
        HttpResponse<String> r = purgeMethod("/a", PurgeMethodProcessor.SOFT_HEADER, "1");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(true, JSON.readTree(r.body()).get("soft").booleanValue());
        assertEquals("REVALIDATED", cacheStatus(get("/a")));
        assertEquals("\"v1\"", origin.last().header("If-None-Match"));
    }

    @Test
    void purgeMethodFromAnotherAddressIs403() throws Exception {
        start(PurgeConfig.of(true, List.of("10.0.0.0/8"), List.of(), true), Optional.of(TOKEN));
        cacheA();
        HttpResponse<String> r = purgeMethod("/a");
        assertEquals(403, r.statusCode());
        assertTrue(r.body().contains("127.0.0.1"), r.body());
        assertNull(origin.received.stream().filter(x -> x.method().equals("PURGE")).findAny().orElse(null));
        assertEquals("HIT", cacheStatus(get("/a")));
    }

    // ---------------------------------------------------------------------------------------------
    // Purge by tag, prefix and host (bans), keys, and the streaming-fill race

    /** Stores {@code path} (one origin request) and checks that the next request is a hit. */
    private void cache(String path) throws Exception {
        int before = origin.requests.get();
        assertEquals("MISS", cacheStatus(get(path)), path);
        awaitStored(path);
        assertEquals("HIT", cacheStatus(get(path)), path);
        assertEquals(before + 1, origin.requests.get());
    }

    /** POSTs a ban and returns its answer (checked 200). */
    private JsonNode ban(String selector, String value, boolean soft) throws Exception {
        HttpResponse<String> r = purgeApi("{\"" + selector + "\": \"" + value + "\", \"soft\": " + soft + "}");
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    @Test
    void hardPurgeByTagMissesEveryTaggedObjectAtOnceAndIsAudited() throws Exception {
        start();
        cache("/img/1");
        cache("/img/2");
        cache("/a");
        clock.advance(Duration.ofSeconds(1));
        try (AuditCapture audit = new AuditCapture()) {
            JsonNode j = ban("tag", "img", false);
            assertEquals("tag", j.get("kind").textValue());
            assertEquals("img", j.get("value").textValue());
            assertEquals(false, j.get("soft").booleanValue());
            assertEquals(List.of("purge who=127.0.0.1 via=admin mode=hard tag=img ban=" + j.get("ban").longValue()),
                    audit.lines());
        }
        int before = origin.requests.get();
        assertEquals("MISS", cacheStatus(get("/img/1")));
        assertEquals("MISS", cacheStatus(get("/img/2")));
        assertEquals("HIT", cacheStatus(get("/a")), "untagged objects untouched");
        assertEquals(before + 2, origin.requests.get());
        awaitStored("/img/1");
        assertEquals("HIT", cacheStatus(get("/img/1")), "what was fetched after the purge is served again");
        assertEquals(1L, purge.purgeCount("tag", PurgeMode.HARD));
    }

    @Test
    void softPurgeByTagRevalidatesAndServesStaleWhenTheOriginFails() throws Exception {
        start();
        cache("/img/1");
        cache("/img/2");
        clock.advance(Duration.ofSeconds(5));
        ban("tag", "img", true);
        HttpResponse<String> r = get("/img/1");
        assertEquals("REVALIDATED", cacheStatus(r));
        assertEquals("body of /img/1", r.body());
        assertEquals("\"v1\"", origin.last().header("If-None-Match"));
        assertEquals("HIT", cacheStatus(get("/img/1")), "the 304 made it fresh again");
        originFails.set(true);
        HttpResponse<String> stale = get("/img/2");
        assertEquals(200, stale.statusCode());
        assertEquals("STALE", cacheStatus(stale), "stale-if-error still serves a soft-purged object");
        assertEquals("body of /img/2", stale.body());
    }

    @Test
    void purgeByPrefixHitsOnlyKeysUnderThePrefix() throws Exception {
        start();
        cache("/img/1");
        cache("/imgs");
        cache("/a");
        clock.advance(Duration.ofSeconds(1));
        JsonNode j = ban("prefix", url("/img/"), false);
        assertEquals(url("/img/"), j.get("value").textValue());
        assertEquals("MISS", cacheStatus(get("/img/1")));
        assertEquals("HIT", cacheStatus(get("/imgs")));
        assertEquals("HIT", cacheStatus(get("/a")));
    }

    @Test
    void purgeByHostHitsEveryObjectOfTheHostHardOrSoft() throws Exception {
        start();
        cache("/a");
        cache("/img/1");
        clock.advance(Duration.ofSeconds(1));
        ban("host", "127.0.0.1", true);
        assertEquals("REVALIDATED", cacheStatus(get("/a")));
        assertEquals("REVALIDATED", cacheStatus(get("/img/1")));
        clock.advance(Duration.ofSeconds(1));
        ban("host", "localhost", false);
        assertEquals("HIT", cacheStatus(get("/a")), "another host");
        ban("host", "127.0.0.1", false);
        assertEquals("MISS", cacheStatus(get("/a")));
    }

    @Test
    void theSweeperRemovesBannedEntriesFromTheStoreAndRetiresTheBan() throws Exception {
        start();
        cache("/img/1");
        cache("/a");
        clock.advance(Duration.ofSeconds(1));
        ban("tag", "img", false);
        ban("tag", "product-42", true);
        assertEquals(2, purge.bansActive());
        BanSweeper.Pass pass = purge.sweeper().sweepOnce();
        assertTrue(pass.complete());
        assertEquals(1, pass.removed(), pass.toString());
        assertEquals(1, pass.staled(), pass.toString());
        assertEquals(0, purge.bansActive(), "both bans retired");
        assertTrue(lookupAll("/img/1").isEmpty(), "removed from the store itself");
        assertEquals("REVALIDATED", cacheStatus(get("/a")), "the stale times were written into the entry");
        assertEquals("MISS", cacheStatus(get("/img/1")));
    }

    private List<dev.cachalot.store.StoredEntry> lookupAll(String path) {
        StoreKey key = StoreAdapter.primaryKey(new RequestHead("GET", "http", "127.0.0.1:" + proxy.port(), path,
                "HTTP/1.1", HeaderFields.empty()));
        return store.listVariants(key).stream().flatMap(k -> store.lookup(k, clock.instant()).stream()).toList();
    }

    @Test
    void keysListsStoredKeysWithPrefixHostAndLimitAndHidesHardBannedOnes() throws Exception {
        start();
        cache("/a");
        cache("/img/1");
        cache("/img/2");
        JsonNode all = JSON.readTree(admin("GET", "/keys", null, "Bearer " + TOKEN).body());
        assertEquals(3, all.get("count").intValue());
        assertEquals(false, all.get("truncated").booleanValue());
        List<String> urls = new ArrayList<>();
        all.get("keys").forEach(k -> urls.add(k.get("url").textValue()));
        assertEquals(List.of(url("/a"), url("/img/1"), url("/img/2")), urls.stream().sorted().toList());
        all.get("keys").forEach(k -> assertEquals(("body of " + k.get("url").textValue().substring(url("").length()))
                .length(), k.get("bytes").intValue(), k.toString()));
        String prefix = java.net.URLEncoder.encode(url("/img/"), StandardCharsets.UTF_8);
        assertEquals(2, JSON.readTree(admin("GET", "/keys?prefix=" + prefix, null, "Bearer " + TOKEN).body())
                .get("count").intValue());
        JsonNode one = JSON.readTree(admin("GET", "/keys?limit=1", null, "Bearer " + TOKEN).body());
        assertEquals(1, one.get("count").intValue());
        assertEquals(true, one.get("truncated").booleanValue());
        assertEquals(3, JSON.readTree(admin("GET", "/keys?host=127.0.0.1", null, "Bearer " + TOKEN).body())
                .get("count").intValue());
        assertEquals(0, JSON.readTree(admin("GET", "/keys?host=example.com", null, "Bearer " + TOKEN).body())
                .get("count").intValue());
        assertEquals(400, admin("GET", "/keys?limit=x", null, "Bearer " + TOKEN).statusCode());
        assertEquals(400, admin("GET", "/keys?sort=1", null, "Bearer " + TOKEN).statusCode());
        assertEquals(400, admin("GET", "/keys?prefix=/img/", null, "Bearer " + TOKEN).statusCode());
        clock.advance(Duration.ofSeconds(1));
        ban("tag", "img", false);
        assertEquals(1, JSON.readTree(admin("GET", "/keys", null, "Bearer " + TOKEN).body()).get("count").intValue());
    }

    /**
     * Starts a GET of {@code /slow} whose origin sends the head and half the body, then waits; the
     * returned future completes with the client's response once {@link #releaseSlow} is released.
     */
    private CompletableFuture<HttpResponse<String>> startSlowFill() throws Exception {
        CompletableFuture<HttpResponse<String>> f = client.sendAsync(
                HttpRequest.newBuilder(URI.create(url("/slow"))).build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(slowRequested.await(60, TimeUnit.SECONDS), "the origin never saw the fill");
        return f;
    }

    @Test
    void aUrlPurgeWhileTheFillIsStreamingIsNotUndoneByItsCommit() throws Exception {
        start();
        CompletableFuture<HttpResponse<String>> fill = startSlowFill();
        clock.advance(Duration.ofSeconds(1));
        JsonNode j = JSON.readTree(purgeApi("{\"url\": \"" + url("/slow") + "\"}").body());
        assertEquals(0, j.get("purged").intValue(), "nothing stored yet");
        releaseSlow.countDown();
        HttpResponse<String> r = fill.get(60, TimeUnit.SECONDS);
        assertEquals("1234567890", r.body(), "the client that asked before the purge gets its answer");
        // The client has the last bytes only after the commit and its purge check (pump holds them back).
        assertTrue(lookupAll("/slow").isEmpty(), "the old object was not stored after the purge");
        assertEquals("MISS", cacheStatus(get("/slow")));
    }

    @Test
    void aSoftUrlPurgeWhileTheFillIsStreamingLeavesItStale() throws Exception {
        start();
        CompletableFuture<HttpResponse<String>> fill = startSlowFill();
        clock.advance(Duration.ofSeconds(1));
        purgeApi("{\"url\": \"" + url("/slow") + "\", \"soft\": true}");
        releaseSlow.countDown();
        assertEquals("1234567890", fill.get(60, TimeUnit.SECONDS).body());
        assertEquals(1, lookupAll("/slow").size(), "kept, for revalidation");
        assertEquals("REVALIDATED", cacheStatus(get("/slow")));
        assertEquals("\"v1\"", origin.last().header("If-None-Match"));
    }

    @Test
    void aTagPurgeWhileTheFillIsStreamingCoversTheLateCommitAndKeepsTheBanUntilItEnds() throws Exception {
        start();
        CompletableFuture<HttpResponse<String>> fill = startSlowFill();
        clock.advance(Duration.ofSeconds(1));
        ban("host", "127.0.0.1", false);
        assertEquals(0, purge.sweeper().sweepOnce().retired().size(), "a fetch older than the ban is open");
        assertEquals(1, purge.bansActive());
        releaseSlow.countDown();
        fill.get(60, TimeUnit.SECONDS);
        assertTrue(lookupAll("/slow").isEmpty(), "removed right after its commit");
        // The fetch closes its ticket just after the client has the last byte: the ban is retired by
        // the first sweep after that.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (purge.sweeper().sweepOnce().retired().isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "the ban was never retired");
            Thread.sleep(5);
        }
        assertEquals(0, purge.bansActive());
        assertEquals("MISS", cacheStatus(get("/slow")));
    }

    // ---------------------------------------------------------------------------------------------
    // scripts/cachalotctl against the same admin listener (needs bash and curl)

    /** What one cachalotctl run printed and returned. */
    private record Ctl(int exit, String out, String err) {}

    private Ctl ctl(String... args) throws Exception {
        Path script = null;
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (d.resolve("scripts/cachalotctl").toFile().isFile()) {
                script = d.resolve("scripts/cachalotctl");
                break;
            }
        }
        Assumptions.assumeTrue(script != null, "scripts/cachalotctl not found from " + Path.of("").toAbsolutePath());
        Assumptions.assumeTrue(new File("/usr/bin/curl").canExecute() || new File("/bin/curl").canExecute(),
                "curl is not installed");
        List<String> cmd = new ArrayList<>(List.of("bash", script.toString(),
                "--admin", "http://127.0.0.1:" + proxy.adminPort()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("CACHALOT_ADMIN_TOKEN");
        pb.environment().remove("CACHALOT_ADMIN");
        Path out = dir.resolve("ctl.out");
        Path err = dir.resolve("ctl.err");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        Assertions.assertTrue(p.waitFor(60, TimeUnit.SECONDS), "cachalotctl did not finish");
        return new Ctl(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void cachalotctlPurgesHardAndSoftAndPrintsJsonOnRequest() throws Exception {
        start();
        cacheA();
        Ctl hard = ctl("--token", TOKEN, "purge", url("/a"));
        assertEquals(0, hard.exit(), hard.err());
        assertEquals("1 cached entries removed for " + url("/a") + "\n", hard.out());
        assertEquals("MISS", cacheStatus(get("/a")));
        awaitStored("/a");

        Ctl soft = ctl("--token", TOKEN, "--json", "purge", "--soft", url("/a"));
        assertEquals(0, soft.exit(), soft.err());
        JsonNode j = JSON.readTree(soft.out());
        assertEquals(1, j.get("purged").intValue());
        assertTrue(j.get("soft").booleanValue());
        assertEquals("REVALIDATED", cacheStatus(get("/a")));
    }

    @Test
    void cachalotctlReportsRefusalsWithTheServersMessage() throws Exception {
        start();
        Ctl badTag = ctl("--token", TOKEN, "purge", "--tag", "a,b");
        assertEquals(1, badTag.exit());
        assertTrue(badTag.err().contains("HTTP 400: tag must be one tag"), badTag.err());
        Ctl badLimit = ctl("--token", TOKEN, "keys", "--limit", "0");
        assertEquals(1, badLimit.exit());
        assertTrue(badLimit.err().contains("HTTP 400: limit must be"), badLimit.err());
        Ctl keysNoToken = ctl("keys");
        assertEquals(1, keysNoToken.exit());
        assertTrue(keysNoToken.err().contains("HTTP 401"), keysNoToken.err());
        assertEquals(2, ctl("--token", TOKEN, "keys", "--bogus", "x").exit());
        Ctl unauthorized = ctl("--token", "wrong", "purge", url("/a"));
        assertEquals(1, unauthorized.exit());
        assertTrue(unauthorized.err().contains("HTTP 401"), unauthorized.err());
        Ctl badUrl = ctl("--token", TOKEN, "purge", "/relative");
        assertEquals(1, badUrl.exit());
        assertTrue(badUrl.err().contains("HTTP 400: url must be absolute"), badUrl.err());
        assertEquals(2, ctl("purge").exit());
        assertEquals(2, ctl("frobnicate").exit());
    }

    @Test
    void cachalotctlHealthAndStats() throws Exception {
        start();
        Ctl health = ctl("health");
        assertEquals(0, health.exit(), health.err());
        assertEquals("ok\n", health.out());
        Ctl healthJson = ctl("--json", "health");
        assertEquals("ok", JSON.readTree(healthJson.out()).get("health").textValue());
        Ctl stats = ctl("stats");
        assertEquals(0, stats.exit(), stats.err());
        assertEquals(1, JSON.readTree(stats.out()).get("uptimeSeconds").intValue());
    }

    @Test
    void cachalotctlPurgesByTagPrefixAndHostAndListsKeys() throws Exception {
        start();
        cache("/a");
        cache("/img/1");
        clock.advance(Duration.ofSeconds(1));
        Ctl keys = ctl("--token", TOKEN, "keys");
        assertEquals(0, keys.exit(), keys.err());
        assertEquals(List.of(url("/a"), url("/img/1")), keys.out().lines().sorted().toList());
        Ctl prefixed = ctl("--token", TOKEN, "keys", "--prefix", url("/img/"), "--limit", "5");
        assertEquals(List.of(url("/img/1")), prefixed.out().lines().toList(), prefixed.err());
        Ctl limited = ctl("--token", TOKEN, "keys", "--limit", "1");
        assertEquals(1, limited.out().lines().count());
        assertTrue(limited.err().contains("more keys match"), limited.err());
        Ctl json = ctl("--token", TOKEN, "--json", "keys", "--host", "127.0.0.1");
        assertEquals(2, JSON.readTree(json.out()).get("count").intValue());

        Ctl tag = ctl("--token", TOKEN, "purge", "--tag", "img");
        assertEquals(0, tag.exit(), tag.err());
        assertTrue(tag.out().matches("ban \\d+ recorded: every object cached before now with tag img is removed\n"),
                tag.out());
        assertEquals("MISS", cacheStatus(get("/img/1")));
        assertEquals("HIT", cacheStatus(get("/a")));
        Ctl soft = ctl("--token", TOKEN, "--json", "purge", "--soft", "--prefix", url("/"));
        assertEquals(0, soft.exit(), soft.err());
        assertTrue(JSON.readTree(soft.out()).get("soft").booleanValue());
        assertEquals("REVALIDATED", cacheStatus(get("/a")));
        clock.advance(Duration.ofSeconds(1));
        Ctl host = ctl("--token", TOKEN, "purge", "--host", "127.0.0.1");
        assertEquals(0, host.exit(), host.err());
        assertEquals("MISS", cacheStatus(get("/a")));
    }
}
