package dev.cachalot.purge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.HttpDates;
import dev.cachalot.http.RequestHead;
import dev.cachalot.pipeline.StoreAdapter;
import dev.cachalot.policy.CacheDecision;
import dev.cachalot.policy.CachePolicy;
import dev.cachalot.policy.Freshness;
import dev.cachalot.policy.OriginFailure;
import dev.cachalot.policy.PolicyConfig;
import dev.cachalot.policy.RouteOverrides;
import dev.cachalot.policy.StoredResponse;
import dev.cachalot.store.CommitResult;
import dev.cachalot.store.EntryHead;
import dev.cachalot.store.EntryWriter;
import dev.cachalot.store.HeaderField;
import dev.cachalot.store.StoreConfig;
import dev.cachalot.store.StoreKey;
import dev.cachalot.store.StoredEntry;
import dev.cachalot.store.TieredCacheStore;
import dev.cachalot.store.WriteOutcome;
import dev.cachalot.testing.MutableClock;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PurgeService} against the real tiered store, judged by the real policy: a soft-purged
 * entry must be one the policy revalidates, and may serve under stale-if-error.
 */
class PurgeServiceTest {
    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);
    private final PolicyConfig policyConfig = PolicyConfig.defaults();
    private final CachePolicy policy = new CachePolicy(policyConfig);
    private TieredCacheStore store;

    @BeforeEach
    void open() throws Exception {
        store = TieredCacheStore.open(StoreConfig.builder().directory(dir).diskMaxBytes(16L << 20)
                .maxObjectBytes(8L << 20).diskMaxEntries(1_000).build(), clock);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static RequestHead get(String authority, String target) {
        return new RequestHead("GET", "http", authority, target, "HTTP/1.1",
                HeaderFields.of("Host", authority));
    }

    /** Stores a 200 for {@code request} under variant {@code variant}, received at {@code receivedAt}. */
    private StoredEntry put(RequestHead request, String variant, Instant receivedAt, String body, String... fields) {
        List<HeaderField> fs = new ArrayList<>();
        for (int i = 0; i < fields.length; i += 2) {
            fs.add(new HeaderField(fields[i], fields[i + 1]));
        }
        StoreKey key = StoreAdapter.primaryKey(request).withVariant(variant.getBytes(StandardCharsets.UTF_8));
        EntryHead head = new EntryHead(200, fs, receivedAt, receivedAt, receivedAt.plus(Duration.ofDays(1)));
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try (EntryWriter w = store.beginWrite(key, head, bytes.length, clock.instant())) {
            assertTrue(w.append(ByteBuffer.wrap(bytes)));
            CommitResult r = w.commit(clock.instant());
            assertEquals(WriteOutcome.COMMITTED, r.outcome());
            return r.entry();
        }
    }

    private List<StoredResponse> views(RequestHead request) {
        List<StoredResponse> out = new ArrayList<>();
        for (StoreKey k : store.listVariants(StoreAdapter.primaryKey(request))) {
            store.lookup(k, clock.instant()).ifPresent(e -> out.add(StoreAdapter.toStoredResponse(e)));
        }
        return out;
    }

    private PurgeService service() {
        return new PurgeService(store, policyConfig, authority -> RouteOverrides.NONE, clock);
    }

    @Test
    void hardPurgeRemovesEveryVariantOfTheUrlUnderThePipelinesKeyAndNothingElse() {
        RequestHead a = get("example.test", "/a?x=1");
        put(a, "", T0, "plain", "Cache-Control", "max-age=600");
        put(a, "accept-encoding=gzip", T0, "gzipped", "Cache-Control", "max-age=600", "Vary", "Accept-Encoding");
        RequestHead b = get("example.test", "/b");
        put(b, "", T0, "other", "Cache-Control", "max-age=600");

        // Upper-case host and the default port name the same key (policy's CacheKeys normalisation).
        PurgeResult r = service().purgeUrl("http://EXAMPLE.test:80/a?x=1", PurgeMode.HARD, "127.0.0.1");

        assertEquals(new PurgeResult("http://example.test/a?x=1", PurgeMode.HARD, 2, 0), r);
        assertTrue(views(a).isEmpty());
        assertEquals(1, views(b).size());
        assertEquals(0, service().purgeUrl("http://example.test/a?x=1", PurgeMode.HARD, "127.0.0.1").purged());
    }

    @Test
    void softPurgeMakesAFreshEntryOneThePolicyRevalidatesWithItsValidators() {
        RequestHead a = get("example.test", "/a");
        StoredEntry before = put(a, "", T0, "body", "Cache-Control", "max-age=600", "ETag", "\"v1\"",
                "Date", HttpDates.format(T0));
        clock.advance(Duration.ofSeconds(10));
        assertInstanceOf(CacheDecision.Serve.class, policy.decide(a, views(a), clock.instant(), RouteOverrides.NONE));

        PurgeResult r = service().purgeUrl("http://example.test/a", PurgeMode.SOFT, "127.0.0.1");

        assertEquals(new PurgeResult("http://example.test/a", PurgeMode.SOFT, 1, 0), r);
        CacheDecision d = policy.decide(a, views(a), clock.instant(), RouteOverrides.NONE);
        CacheDecision.Revalidate rv = assertInstanceOf(CacheDecision.Revalidate.class, d);
        assertEquals("\"v1\"", rv.conditional().headers().first("If-None-Match"));
        StoredEntry after = store.lookup(before.key(), clock.instant()).orElseThrow();
        assertEquals(before.entryId(), after.entryId(), "body kept");
        assertEquals(before.head().fields(), after.head().fields(), "fields and validators kept");
        assertEquals(before.head().retainUntil(), after.head().retainUntil());
        // Stale exactly from the purge instant: not a second more.
        assertEquals(0, Freshness.remaining(views(a).get(0), clock.instant(), policyConfig, RouteOverrides.NONE));
    }

    @Test
    void aSoftPurgedEntryMayServeStaleOnErrorWithinItsWindowCountedFromThePurge() {
        RequestHead a = get("example.test", "/a");
        put(a, "", T0, "body", "Cache-Control", "max-age=600, stale-if-error=60", "ETag", "\"v1\"");
        service().purgeUrl("http://example.test/a", PurgeMode.SOFT, "127.0.0.1");

        clock.advance(Duration.ofSeconds(59));
        StoredResponse s = views(a).get(0);
        assertTrue(policy.staleOnError(a, s, OriginFailure.status(500), clock.instant(), RouteOverrides.NONE)
                .isPresent());
        clock.advance(Duration.ofSeconds(2));
        assertTrue(policy.staleOnError(a, views(a).get(0), OriginFailure.status(500), clock.instant(),
                RouteOverrides.NONE).isEmpty());
    }

    @Test
    void softPurgeAccountsForAnOriginDateBehindTheResponseTime() {
        // apparent_age = response_time - Date = 30 s (RFC 9111 §4.2.3): shifting by the remaining
        // lifetime alone would leave the entry fresh.
        RequestHead a = get("example.test", "/skew");
        put(a, "", T0, "body", "Cache-Control", "max-age=100", "Date", HttpDates.format(T0.minusSeconds(30)),
                "ETag", "\"s\"");
        assertEquals(70, Freshness.remaining(views(a).get(0), clock.instant(), policyConfig, RouteOverrides.NONE));

        assertEquals(1, service().purgeUrl("http://example.test/skew", PurgeMode.SOFT, "x").purged());

        long remaining = Freshness.remaining(views(a).get(0), clock.instant(), policyConfig, RouteOverrides.NONE);
        assertTrue(remaining <= 0 && remaining >= -30, "stale, by at most the skew: " + remaining);
        assertInstanceOf(CacheDecision.Revalidate.class, policy.decide(a, views(a), clock.instant(), RouteOverrides.NONE));
    }

    @Test
    void softPurgeUsesTheForcedTtlOfTheRouteThatServesTheHost() {
        RouteOverrides forced = new RouteOverrides(Duration.ofHours(1), Set.of(), List.of());
        RequestHead a = get("static.test", "/logo.png");
        put(a, "", T0, "png", "Cache-Control", "max-age=60", "ETag", "\"p\"");
        clock.advance(Duration.ofSeconds(120)); // stale for the origin's 60 s, fresh under the route's 1 h
        assertInstanceOf(CacheDecision.Serve.class, policy.decide(a, views(a), clock.instant(), forced));

        PurgeService svc = new PurgeService(store, policyConfig,
                authority -> authority.equals("static.test") ? forced : RouteOverrides.NONE, clock);
        assertEquals(1, svc.purgeUrl("http://static.test/logo.png", PurgeMode.SOFT, "x").purged());

        assertInstanceOf(CacheDecision.Revalidate.class, policy.decide(a, views(a), clock.instant(), forced));
    }

    @Test
    void softPurgeOfAnAlreadyStaleEntryCountsItAndLeavesItsHeadAlone() {
        RequestHead a = get("example.test", "/old");
        StoredEntry e = put(a, "", T0, "old", "Cache-Control", "max-age=5", "ETag", "\"o\"");
        clock.advance(Duration.ofSeconds(10));

        assertEquals(1, service().purgeUrl("http://example.test/old", PurgeMode.SOFT, "x").purged());

        Optional<StoredEntry> after = store.lookup(e.key(), clock.instant());
        assertEquals(e.headVersion(), after.orElseThrow().headVersion());
    }

    @Test
    void everyPurgeIsAuditedWithWhoWhatAndHowMany() {
        RequestHead a = get("example.test", "/a");
        put(a, "", T0, "body", "Cache-Control", "max-age=600");
        try (AuditCapture audit = new AuditCapture()) {
            service().purgeUrl("http://example.test/a", PurgeMode.HARD, "192.0.2.7");
            assertEquals(List.of("purge who=192.0.2.7 via=admin mode=hard url=http://example.test/a purged=1 failed=0"),
                    audit.lines());
        }
    }

    @Test
    void aUrlThatNamesNoCacheKeyIsRefusedWithTheReason() {
        PurgeService svc = service();
        String[][] cases = {
                {"/a", "absolute"},
                {"ftp://example.test/a", "http or https"},
                {"http://example.test/a#frag", "fragment"},
                {"http://example.test/a b", "spaces"},
                {"http://user@example.test/a", "user info"},
                {"http:///a", "host"},
                {"", "missing"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> svc.purgeUrl(c[0], PurgeMode.HARD, "x"), c[0]);
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        }
    }

    @Test
    void aUrlWithoutPathNamesTheRootAndAQueryOnlyUrlItsRootQuery() {
        RequestHead root = get("example.test", "/");
        put(root, "", T0, "home", "Cache-Control", "max-age=600");
        RequestHead q = get("example.test", "/?q=1");
        put(q, "", T0, "search", "Cache-Control", "max-age=600");
        assertEquals(1, service().purgeUrl("http://example.test", PurgeMode.HARD, "x").purged());
        assertEquals(1, service().purgeUrl("http://example.test?q=1", PurgeMode.HARD, "x").purged());
    }
}
