package dev.cachalot.policy;

import dev.cachalot.http.ResponseHead;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.cachalot.policy.Fixtures.CONFIG;
import static dev.cachalot.policy.Fixtures.at;
import static dev.cachalot.policy.Fixtures.date;
import static dev.cachalot.policy.Fixtures.response;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Outgoing headers: Age, Date, Cache-Status (RFC 9211), X-Cache-Status. */
class ResponseShaperTest {

    @Test
    void hitGetsAgeCacheStatusAndShortStatus() {
        ResponseHead out = ResponseShaper.shape(response(200, "Date", date(0), "Age", "3"), 42L, false,
                CacheStatus.hit("Cachalot", 18, null), at(42), CONFIG);
        assertEquals("42", out.headers().first("Age"));
        assertEquals(List.of("42"), out.headers().all("Age"));
        assertEquals("Cachalot;hit;ttl=18", out.headers().first("Cache-Status"));
        assertEquals("HIT", out.headers().first("X-Cache-Status"));
    }

    @Test
    void ageIsCappedAtTwoToThe31() {
        ResponseHead out = ResponseShaper.shape(response(200, "Date", date(0)), Long.MAX_VALUE, false,
                CacheStatus.hit("C", 1, null), at(0), CONFIG);
        assertEquals("2147483648", out.headers().first("Age"));
    }

    @Test
    void responseWithoutDateGetsOne() {
        ResponseHead out = ResponseShaper.shape(response(200), null, false,
                CacheStatus.forwarded("C", ForwardReason.URI_MISS, 200, true, 60L, null), at(7), CONFIG);
        assertEquals(date(7), out.headers().first("Date"));
        assertFalse(out.headers().contains("Age"));
    }

    @Test
    void originCacheStatusEntriesAreKeptAndOursComesLast() {
        ResponseHead out = ResponseShaper.shape(response(200, "Date", date(0), "Cache-Status", "OriginCache; hit"), null,
                false, CacheStatus.forwarded("Cachalot", ForwardReason.URI_MISS, 200, false, null, "not stored: private"),
                at(0), CONFIG);
        assertEquals(List.of("OriginCache; hit", "Cachalot;fwd=uri-miss;fwd-status=200;detail=\"not stored: private\""),
                out.headers().all("Cache-Status"));
        assertEquals("OriginCache; hit, Cachalot;fwd=uri-miss;fwd-status=200;detail=\"not stored: private\"",
                out.headers().combined("Cache-Status"));
        assertEquals("MISS", out.headers().first("X-Cache-Status"));
    }

    @Test
    void upstreamShortStatusIsReplacedAndHeaderNameIsConfigurable() {
        ResponseHead out = ResponseShaper.shape(response(200, "Date", date(0), "X-Cache-Status", "HIT"), null, false,
                CacheStatus.forwarded("C", ForwardReason.MISS, 200, false, null, null), at(0), CONFIG);
        assertEquals(List.of("MISS"), out.headers().all("X-Cache-Status"));
        ResponseHead renamed = ResponseShaper.shape(response(200, "Date", date(0)), 1L, false,
                CacheStatus.hit("C", 1, null), at(0), CONFIG.withStatusHeader("X-Edge"));
        assertEquals("HIT", renamed.headers().first("X-Edge"));
        assertFalse(renamed.headers().contains("X-Cache-Status"));
        ResponseHead off = ResponseShaper.shape(response(200, "Date", date(0)), 1L, false,
                CacheStatus.hit("C", 1, null), at(0), CONFIG.withStatusHeader(null));
        assertFalse(off.headers().contains("X-Cache-Status"));
    }

    @Test
    void qualifiedNoCacheFieldsAreNotSentWithoutValidation() {
        ResponseHead stored = response(200, "Date", date(0), "Cache-Control", "no-cache=\"X-Secret\", max-age=60",
                "X-Secret", "s", "X-Public", "p");
        ResponseHead hit = ResponseShaper.shape(stored, 1L, false, CacheStatus.hit("C", 59, null), at(1), CONFIG);
        assertFalse(hit.headers().contains("X-Secret"));
        assertEquals("p", hit.headers().first("X-Public"));
        ResponseHead validated = ResponseShaper.shape(stored, 1L, true,
                CacheStatus.revalidated("C", ForwardReason.STALE, true, 60, null), at(1), CONFIG);
        assertEquals("s", validated.headers().first("X-Secret"));
        assertEquals("REVALIDATED", validated.headers().first("X-Cache-Status"));
    }

    @Test
    void qualifiedNoCacheInTargetedFieldOrUpperCaseIsHonoured() {
        ResponseHead upper = response(200, "Date", date(0), "Cache-Control", "max-age=60, NO-CACHE =\"X-Secret\"",
                "X-Secret", "s");
        assertFalse(ResponseShaper.shape(upper, 1L, false, CacheStatus.hit("C", 59, null), at(1), CONFIG).headers()
                .contains("X-Secret"));
        ResponseHead targeted = response(200, "Date", date(0), "CDN-Cache-Control", "max-age=60, no-cache=\"x-secret\"",
                "X-Secret", "s");
        assertFalse(ResponseShaper.shape(targeted, 1L, false, CacheStatus.hit("C", 59, null), at(1), CONFIG).headers()
                .contains("X-Secret"));
    }

    @Test
    void endToEndFieldsAreKept() {
        ResponseHead out = ResponseShaper.shape(response(200, "Date", date(0), "X-App", "1", "Set-Cookie", "a=b"), null, false,
                CacheStatus.forwarded("C", ForwardReason.URI_MISS, 200, false, null, null), at(0), CONFIG);
        assertEquals("1", out.headers().first("X-App"));
        assertEquals("a=b", out.headers().first("Set-Cookie"));
    }

    @Test
    void cacheStatusSerialisesEveryParameter() {
        CacheStatus s = CacheStatus.forwarded("Cachalot", ForwardReason.VARY_MISS, 200, true, -5L, "x \"y\" \\z")
                .withCollapsed(true);
        assertEquals("Cachalot;fwd=vary-miss;fwd-status=200;stored;collapsed;ttl=-5;detail=\"x \\\"y\\\" \\\\z\"",
                s.format());
        assertEquals("\"my cache\";hit;ttl=1", CacheStatus.hit("my cache", 1, null).withDetail(null).toString());
    }

    @Test
    void shortStatusWords() {
        assertEquals(ShortStatus.HIT, CacheStatus.hit("C", 1, null).shortStatus());
        assertEquals(ShortStatus.STALE, CacheStatus.staleHit("C", -1, "stale-while-revalidate").shortStatus());
        assertEquals(ShortStatus.STALE, CacheStatus.staleOnError("C", ForwardReason.STALE, 503, -1, null).shortStatus());
        assertEquals(ShortStatus.REVALIDATED, CacheStatus.revalidated("C", ForwardReason.STALE, true, 1, null).shortStatus());
        assertEquals(ShortStatus.BYPASS, CacheStatus.forwarded("C", ForwardReason.BYPASS, 200, false, null, null).shortStatus());
        assertEquals(ShortStatus.BYPASS, CacheStatus.forwarded("C", ForwardReason.METHOD, 200, false, null, null).shortStatus());
        assertEquals(ShortStatus.MISS, CacheStatus.forwarded("C", ForwardReason.STALE, 200, true, 5L, null).shortStatus());
        CacheStatus g = CacheStatus.gatewayTimeout("C", "only-if-cached");
        assertEquals("C;detail=\"only-if-cached\"", g.format());
        assertNull(g.fwd());
    }

    @Test
    void cacheStatusDetailWithNonAsciiIsMadePrintable() {
        assertEquals("C;detail=\"caf?\"", new CacheStatus("C", false, null, 0, false, false, null, "caf\u00e9",
                ShortStatus.MISS).format());
    }

    @Test
    void badConfigFailsNamingTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PolicyConfig(true, 1.5,
                java.time.Duration.ofDays(1), 16, null, true, SetCookiePolicy.DONT_STORE, null, "C", 4));
        assertTrue(e.getMessage().contains("heuristicFraction"));
        assertThrows(IllegalArgumentException.class, () -> CONFIG.withMaxVariantsPerUrl(0));
        assertThrows(IllegalArgumentException.class, () -> CONFIG.withStatusHeader("bad header"));
        assertThrows(IllegalArgumentException.class, () -> new RouteOverrides(null, java.util.Set.of(), List.of("api")));
    }

    @Test
    void cacheStatusFromLocalDecisions() {
        StoredResponse s = Fixtures.stored(0, response(200, "Cache-Control", "max-age=60"));
        assertEquals("Cachalot;hit;ttl=50", CacheStatus.of(new CacheDecision.Serve(s, 10, 50, null), CONFIG).format());
        assertEquals(ShortStatus.STALE, CacheStatus.of(new CacheDecision.ServeStale(s, StaleReason.MAX_STALE, 70, -10, null,
                "max-stale"), CONFIG).shortStatus());
        assertEquals("Cachalot;detail=\"only-if-cached\"",
                CacheStatus.of(new CacheDecision.GatewayTimeout(ForwardReason.URI_MISS, "only-if-cached"), CONFIG).format());
        assertThrows(IllegalArgumentException.class, () -> CacheStatus.of(new CacheDecision.Forward(ForwardReason.MISS,
                Fixtures.get("/"), null), CONFIG));
    }
}
