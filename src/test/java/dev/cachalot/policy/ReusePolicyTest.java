package dev.cachalot.policy;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.RequestHead;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static dev.cachalot.policy.Fixtures.CONFIG;
import static dev.cachalot.policy.Fixtures.at;
import static dev.cachalot.policy.Fixtures.date;
import static dev.cachalot.policy.Fixtures.decide;
import static dev.cachalot.policy.Fixtures.get;
import static dev.cachalot.policy.Fixtures.request;
import static dev.cachalot.policy.Fixtures.response;
import static dev.cachalot.policy.Fixtures.stored;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RFC 9111 §4 reuse decisions, request and response directives, RFC 5861. */
class ReusePolicyTest {

    private static final StoredResponse FRESH_60 = stored(0, response(200, "Cache-Control", "max-age=60", "ETag", "\"v1\""));

    @Test
    void freshStoredResponseIsServed() {
        CacheDecision.Serve s = assertInstanceOf(CacheDecision.Serve.class, decide(get("/"), 10, FRESH_60));
        assertEquals(10, s.age());
        assertEquals(50, s.ttl());
        assertNull(s.detail());
    }

    @Test
    void headIsAnsweredFromStoredGet() {
        assertInstanceOf(CacheDecision.Serve.class, decide(request("HEAD", "/"), 10, FRESH_60));
    }

    @Test
    void responseIsStaleWhenAgeEqualsLifetime() {
        CacheDecision.Revalidate r = assertInstanceOf(CacheDecision.Revalidate.class, decide(get("/"), 60, FRESH_60));
        assertEquals(ForwardReason.STALE, r.reason());
        assertEquals("\"v1\"", r.conditional().headers().first("If-None-Match"));
    }

    @Test
    void noStoredResponseIsUriMiss() {
        CacheDecision.Forward f = assertInstanceOf(CacheDecision.Forward.class, decide(get("/"), 0));
        assertEquals(ForwardReason.URI_MISS, f.reason());
    }

    @Test
    void unsafeMethodIsForwardedWithMethodReason() {
        CacheDecision.Forward f = assertInstanceOf(CacheDecision.Forward.class, decide(request("POST", "/"), 0, FRESH_60));
        assertEquals(ForwardReason.METHOD, f.reason());
    }

    @Test
    void bypassRouteIsForwardedAndSaysSo() {
        RouteOverrides o = new RouteOverrides(null, Set.of(), List.of("/api/"));
        CacheDecision d = ReusePolicy.decide(get("/api/x"), List.of(FRESH_60), at(0), CONFIG, o);
        CacheDecision.Forward f = assertInstanceOf(CacheDecision.Forward.class, d);
        assertEquals(ForwardReason.BYPASS, f.reason());
        assertEquals("override bypass /api/", f.detail());
    }

    @Test
    void forwardedRequestNeverCarriesClientForwardingFields() {
        CacheDecision.Forward f = assertInstanceOf(CacheDecision.Forward.class,
                decide(get("/", "X-Forwarded-Host", "evil.example", "Forwarded", "host=evil", "Accept", "*/*"), 0));
        assertFalse(f.originRequest().headers().contains("X-Forwarded-Host"));
        assertFalse(f.originRequest().headers().contains("Forwarded"));
        assertEquals("*/*", f.originRequest().headers().first("Accept"));
    }

    @Test
    void requestMaxAgeRejectsOlderResponse() {
        CacheDecision.Revalidate r = assertInstanceOf(CacheDecision.Revalidate.class,
                decide(get("/", "Cache-Control", "max-age=5"), 10, FRESH_60));
        assertEquals(ForwardReason.REQUEST, r.reason());
        assertEquals("request max-age", r.detail());
        assertInstanceOf(CacheDecision.Serve.class, decide(get("/", "Cache-Control", "max-age=10"), 10, FRESH_60));
    }

    @Test
    void requestMinFreshRequiresRemainingFreshness() {
        assertInstanceOf(CacheDecision.Revalidate.class, decide(get("/", "Cache-Control", "min-fresh=51"), 10, FRESH_60));
        assertInstanceOf(CacheDecision.Serve.class, decide(get("/", "Cache-Control", "min-fresh=50"), 10, FRESH_60));
    }

    @Test
    void requestNoCacheForcesValidation() {
        CacheDecision.Revalidate r = assertInstanceOf(CacheDecision.Revalidate.class,
                decide(get("/", "Cache-Control", "no-cache"), 1, FRESH_60));
        assertEquals(ForwardReason.REQUEST, r.reason());
    }

    @Test
    void pragmaNoCacheForcesValidationWithoutCacheControl() {
        assertInstanceOf(CacheDecision.Revalidate.class, decide(get("/", "Pragma", "no-cache"), 1, FRESH_60));
    }

    @Test
    void requestMaxStaleAllowsStaleWithinLimit() {
        CacheDecision.ServeStale s = assertInstanceOf(CacheDecision.ServeStale.class,
                decide(get("/", "Cache-Control", "max-stale=30"), 80, FRESH_60));
        assertEquals(StaleReason.MAX_STALE, s.reason());
        assertEquals(-20, s.ttl());
        assertInstanceOf(CacheDecision.Revalidate.class, decide(get("/", "Cache-Control", "max-stale=30"), 91, FRESH_60));
        assertInstanceOf(CacheDecision.ServeStale.class, decide(get("/", "Cache-Control", "max-stale"), 100000, FRESH_60));
    }

    @Test
    void requestMaxAgeStillBoundsAgeWhenMaxStaleIsPresent() {
        assertInstanceOf(CacheDecision.Revalidate.class,
                decide(get("/", "Cache-Control", "max-age=70, max-stale=100"), 80, FRESH_60));
        assertInstanceOf(CacheDecision.ServeStale.class,
                decide(get("/", "Cache-Control", "max-age=90, max-stale=100"), 80, FRESH_60));
    }

    @Test
    void mustRevalidateForbidsServingStaleEvenWithMaxStale() {
        StoredResponse s = stored(0, response(200, "Cache-Control", "max-age=60, must-revalidate"));
        CacheDecision.Revalidate r = assertInstanceOf(CacheDecision.Revalidate.class,
                decide(get("/", "Cache-Control", "max-stale"), 80, s));
        assertEquals("must-revalidate", r.detail());
    }

    @Test
    void proxyRevalidateForbidsStaleInSharedCache() {
        StoredResponse s = stored(0, response(200, "Cache-Control", "max-age=60, proxy-revalidate"));
        assertInstanceOf(CacheDecision.Revalidate.class, decide(get("/", "Cache-Control", "max-stale"), 80, s));
    }

    @Test
    void sMaxageImpliesProxyRevalidate() {
        StoredResponse s = stored(0, response(200, "Cache-Control", "s-maxage=60, stale-while-revalidate=100"));
        assertInstanceOf(CacheDecision.Revalidate.class, decide(get("/"), 80, s));
    }

    @Test
    void responseNoCacheRequiresValidationEvenWhenFresh() {
        StoredResponse s = stored(0, response(200, "Cache-Control", "no-cache, max-age=600", "ETag", "\"a\""));
        CacheDecision.Revalidate r = assertInstanceOf(CacheDecision.Revalidate.class, decide(get("/"), 1, s));
        assertEquals("response no-cache", r.detail());
    }

    @Test
    void qualifiedNoCacheStillAllowsReuse() {
        StoredResponse s = stored(0, response(200, "Cache-Control", "no-cache=\"X-Secret\", max-age=600"));
        assertInstanceOf(CacheDecision.Serve.class, decide(get("/"), 1, s));
    }

    @Test
    void onlyIfCachedServesFreshAndGivesGatewayTimeoutOtherwise() {
        assertInstanceOf(CacheDecision.Serve.class, decide(get("/", "Cache-Control", "only-if-cached"), 1, FRESH_60));
        CacheDecision.GatewayTimeout g = assertInstanceOf(CacheDecision.GatewayTimeout.class,
                decide(get("/", "Cache-Control", "only-if-cached"), 0));
        assertEquals(ForwardReason.URI_MISS, g.reason());
        assertInstanceOf(CacheDecision.GatewayTimeout.class, decide(get("/", "Cache-Control", "only-if-cached"), 100, FRESH_60));
    }

    @Test
    void onlyIfCachedWithMaxStaleServesStale() {
        assertInstanceOf(CacheDecision.ServeStale.class,
                decide(get("/", "Cache-Control", "only-if-cached, max-stale"), 100, FRESH_60));
    }

    @Test
    void staleWhileRevalidateServesStaleAndPlansBackgroundRevalidation() {
        StoredResponse s = stored(0, response(200, "Cache-Control", "max-age=60, stale-while-revalidate=30", "ETag", "\"x\""));
        CacheDecision.ServeStale st = assertInstanceOf(CacheDecision.ServeStale.class, decide(get("/"), 75, s));
        assertEquals(StaleReason.WHILE_REVALIDATE, st.reason());
        assertEquals("\"x\"", st.revalidation().headers().first("If-None-Match"));
        assertEquals("stale-while-revalidate", st.detail());
        assertInstanceOf(CacheDecision.Revalidate.class, decide(get("/"), 91, s));
    }

    @Test
    void staleWhileRevalidateDoesNotOverrideMustRevalidate() {
        StoredResponse s = stored(0, response(200, "Cache-Control", "max-age=60, must-revalidate, stale-while-revalidate=30"));
        assertInstanceOf(CacheDecision.Revalidate.class, decide(get("/"), 70, s));
    }

    @Test
    void noDefaultTtlResponseWithoutFreshnessIsValidated() {
        StoredResponse s = stored(0, response(200, "ETag", "\"a\""));
        assertInstanceOf(CacheDecision.Revalidate.class, decide(get("/"), 0, s));
    }

    @Test
    void heuristicFreshnessAllowsReuse() {
        StoredResponse s = stored(0, response(200, "Last-Modified", date(-10000)));
        CacheDecision.Serve sv = assertInstanceOf(CacheDecision.Serve.class, decide(get("/"), 500, s));
        assertEquals(500, sv.ttl());
    }

    @Test
    void authorizedRequestReusesOnlyResponsesThatAllowIt() {
        CacheDecision.Forward f = assertInstanceOf(CacheDecision.Forward.class,
                decide(get("/", "Authorization", "Basic x"), 1, FRESH_60));
        assertEquals(ForwardReason.REQUEST, f.reason());
        assertEquals("authorization", f.detail());
        StoredResponse pub = stored(0, response(200, "Cache-Control", "public, max-age=60"));
        assertInstanceOf(CacheDecision.Serve.class, decide(get("/", "Authorization", "Basic x"), 1, pub));
    }

    @Test
    void ifMatchIsNotApplicableToCacheAndIsForwarded() {
        CacheDecision.Forward f = assertInstanceOf(CacheDecision.Forward.class,
                decide(get("/", "If-Match", "\"v1\""), 1, FRESH_60));
        assertEquals(ForwardReason.REQUEST, f.reason());
        assertInstanceOf(CacheDecision.Forward.class, decide(get("/", "If-Unmodified-Since", date(0)), 1, FRESH_60));
    }

    @Test
    void varySelectsMatchingVariant() {
        StoredResponse gz = stored(0, response(200, "Cache-Control", "max-age=60", "Vary", "Accept-Encoding", "ETag", "\"gz\""),
                HeaderFields.of("Accept-Encoding", "gzip"));
        StoredResponse br = stored(0, response(200, "Cache-Control", "max-age=60", "Vary", "Accept-Encoding", "ETag", "\"br\""),
                HeaderFields.of("Accept-Encoding", "br"));
        CacheDecision.Serve s = assertInstanceOf(CacheDecision.Serve.class,
                decide(get("/", "Accept-Encoding", "BR"), 1, gz, br));
        assertSame(br, s.entry());
    }

    @Test
    void varyMissIsValidatedWithAllStoredEtags() {
        StoredResponse gz = stored(0, response(200, "Cache-Control", "max-age=60", "Vary", "Accept-Encoding", "ETag", "\"gz\""),
                HeaderFields.of("Accept-Encoding", "gzip"));
        StoredResponse br = stored(0, response(200, "Cache-Control", "max-age=60", "Vary", "Accept-Encoding", "ETag", "\"br\""),
                HeaderFields.of("Accept-Encoding", "br"));
        CacheDecision.Revalidate r = assertInstanceOf(CacheDecision.Revalidate.class,
                decide(get("/", "Accept-Encoding", "zstd"), 1, gz, br));
        assertEquals(ForwardReason.VARY_MISS, r.reason());
        assertNull(r.entry());
        assertEquals("\"gz\", \"br\"", r.conditional().headers().first("If-None-Match"));
    }

    @Test
    void varyMissWithoutEtagsIsForwarded() {
        StoredResponse v = stored(0, response(200, "Cache-Control", "max-age=60", "Vary", "Accept-Language"),
                HeaderFields.of("Accept-Language", "en"));
        CacheDecision.Forward f = assertInstanceOf(CacheDecision.Forward.class, decide(get("/", "Accept-Language", "de"), 1, v));
        assertEquals(ForwardReason.VARY_MISS, f.reason());
    }

    @Test
    void mostRecentMatchingVariantIsSelected() {
        StoredResponse older = stored(0, response(200, "Cache-Control", "max-age=600"));
        StoredResponse newer = stored(5, response(200, "Cache-Control", "max-age=600"));
        assertSame(newer, ReusePolicy.select(List.of(older, newer), get("/")));
    }

    @Test
    void forcedTtlReuseSaysSoInDetail() {
        RouteOverrides o = new RouteOverrides(Duration.ofSeconds(600), Set.of(), List.of());
        StoredResponse s = stored(0, response(200, "Cache-Control", "max-age=0"));
        CacheDecision.Serve sv = assertInstanceOf(CacheDecision.Serve.class,
                ReusePolicy.decide(get("/"), List.of(s), at(100), CONFIG, o));
        assertEquals("override force-ttl=600", sv.detail());
    }

    @Test
    void ignoredNoCacheReuseSaysSoInDetail() {
        RouteOverrides o = new RouteOverrides(null, Set.of("no-cache"), List.of());
        StoredResponse s = stored(0, response(200, "Cache-Control", "no-cache, max-age=60"));
        CacheDecision.Serve sv = assertInstanceOf(CacheDecision.Serve.class,
                ReusePolicy.decide(get("/"), List.of(s), at(1), CONFIG, o));
        assertEquals("override ignored no-cache", sv.detail());
    }

    @Test
    void targetedFieldFreshnessIsUsedForReuse() {
        StoredResponse s = stored(0, response(200, "Cache-Control", "no-cache", "CDN-Cache-Control", "max-age=300"));
        assertInstanceOf(CacheDecision.Serve.class, decide(get("/"), 100, s));
    }

    @Test
    void storedResponseThatCurrentConfigWouldNotStoreIsNeverReused() {
        StoredResponse priv = stored(0, response(200, "Cache-Control", "private, max-age=60"));
        CacheDecision.Forward f = assertInstanceOf(CacheDecision.Forward.class, decide(get("/"), 1, priv));
        assertEquals("stored response not reusable: private", f.detail());
        StoredResponse cookie = stored(0, response(200, "Cache-Control", "max-age=60", "Set-Cookie", "sid=alice"));
        assertEquals("stored response not reusable: set-cookie",
                assertInstanceOf(CacheDecision.Forward.class, decide(get("/"), 1, cookie)).detail());
        StoredResponse publicCookie = stored(0, response(200, "Cache-Control", "public, max-age=60", "Set-Cookie", "ab=1"));
        assertInstanceOf(CacheDecision.Serve.class, decide(get("/"), 1, publicCookie));
        assertInstanceOf(CacheDecision.Forward.class, ReusePolicy.decide(get("/"), List.of(publicCookie), at(1),
                CONFIG.withSetCookiePolicy(SetCookiePolicy.STRIP_AND_STORE), RouteOverrides.NONE));
        StoredResponse noStore = stored(0, response(200, "Cache-Control", "no-store, max-age=60"));
        assertInstanceOf(CacheDecision.Forward.class, decide(get("/"), 1, noStore));
    }

    @Test
    void revalidationOfHeadUsesGet() {
        StoredResponse s = stored(0, response(200, "Cache-Control", "max-age=1", "Last-Modified", date(-50)));
        RequestHead head = request("HEAD", "/", "Range", "bytes=0-1", "If-None-Match", "\"client\"");
        CacheDecision.Revalidate r = assertInstanceOf(CacheDecision.Revalidate.class, decide(head, 10, s));
        assertEquals("GET", r.conditional().method());
        assertFalse(r.conditional().headers().contains("Range"));
        assertEquals(date(-50), r.conditional().headers().first("If-Modified-Since"));
        assertNull(r.conditional().headers().first("If-None-Match"));
    }

    /**
     * A stored response remembers its last Serve decision: requests that interleave on it with other
     * ages, other overrides (another detail) and back again each get the values of their own decision.
     */
    @Test
    void servingOneStoredResponseAgainGivesEachRequestItsOwnAgeTtlAndDetail() {
        StoredResponse r = stored(0, response(200, "Cache-Control", "max-age=60"));
        RouteOverrides ignore = new RouteOverrides(null, Set.of(), List.of(), true, "r");
        for (long now : new long[] {10, 10, 11, 11, 10, 12}) {
            assertEquals(new CacheDecision.Serve(r, now, 60 - now, null), decide(get("/"), now, r));
        }
        for (int round = 0; round < 3; round++) {
            for (long now : new long[] {10, 10, 11, 10}) {
                CacheDecision.Serve plain = assertInstanceOf(CacheDecision.Serve.class, decide(get("/"), now, r));
                assertEquals(new CacheDecision.Serve(r, now, 60 - now, null), plain);
                assertSame(r, plain.entry());
                CacheDecision.Serve ignored = assertInstanceOf(CacheDecision.Serve.class, ReusePolicy.decide(
                        get("/", "Cache-Control", "no-cache"), List.of(r), at(now), CONFIG, ignore));
                assertEquals(new CacheDecision.Serve(r, now, 60 - now, "override ignored request no-cache rule=r"),
                        ignored);
            }
        }
    }
}
