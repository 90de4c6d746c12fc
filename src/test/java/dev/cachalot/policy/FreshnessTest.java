package dev.cachalot.policy;

import dev.cachalot.http.ResponseHead;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static dev.cachalot.policy.Fixtures.CONFIG;
import static dev.cachalot.policy.Fixtures.at;
import static dev.cachalot.policy.Fixtures.date;
import static dev.cachalot.policy.Fixtures.response;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RFC 9111 §4.2.1 / §4.2.2 freshness lifetime. */
class FreshnessTest {

    private static Freshness.Lifetime lifetime(ResponseHead h) {
        return lifetime(h, CONFIG, RouteOverrides.NONE);
    }

    private static Freshness.Lifetime lifetime(ResponseHead h, PolicyConfig c, RouteOverrides o) {
        return Freshness.lifetime(h, ResponseDirectives.of(h.headers(), c, o), at(0), c, o);
    }

    @Test
    void sMaxageOverridesMaxAgeInSharedCache() {
        Freshness.Lifetime l = lifetime(response(200, "Cache-Control", "max-age=60, s-maxage=10"));
        assertEquals(10, l.seconds());
        assertEquals(Freshness.Source.S_MAXAGE, l.source());
    }

    @Test
    void privateCacheIgnoresSMaxage() {
        assertEquals(60, lifetime(response(200, "Cache-Control", "max-age=60, s-maxage=10"), CONFIG.withShared(false),
                RouteOverrides.NONE).seconds());
    }

    @Test
    void maxAgeOverridesExpires() {
        Freshness.Lifetime l = lifetime(response(200, "Cache-Control", "max-age=60", "Date", date(0), "Expires", date(600)));
        assertEquals(60, l.seconds());
        assertEquals(Freshness.Source.MAX_AGE, l.source());
    }

    @Test
    void expiresMinusDate() {
        Freshness.Lifetime l = lifetime(response(200, "Date", date(100), "Expires", date(400)));
        assertEquals(300, l.seconds());
        assertEquals(Freshness.Source.EXPIRES, l.source());
    }

    @Test
    void expiresWithoutDateUsesResponseTime() {
        assertEquals(400, lifetime(response(200, "Expires", date(400))).seconds());
    }

    @Test
    void invalidExpiresMeansAlreadyStale() {
        Freshness.Lifetime l = lifetime(response(200, "Expires", "0", "Last-Modified", date(-100000)));
        assertEquals(0, l.seconds());
        assertEquals("invalid expires", l.detail());
    }

    @Test
    void expiresInThePastGivesZero() {
        assertEquals(0, lifetime(response(200, "Date", date(100), "Expires", date(0))).seconds());
    }

    @Test
    void duplicateExpiresUsesFirst() {
        assertEquals(10, lifetime(response(200, "Date", date(0), "Expires", date(10), "Expires", date(999))).seconds());
    }

    @Test
    void heuristicIsFractionOfLastModifiedAge() {
        Freshness.Lifetime l = lifetime(response(200, "Date", date(0), "Last-Modified", date(-1000)));
        assertEquals(100, l.seconds());
        assertEquals(Freshness.Source.HEURISTIC, l.source());
        assertFalse(l.explicit());
    }

    @Test
    void heuristicIsCapped() {
        assertEquals(86400, lifetime(response(200, "Date", date(0), "Last-Modified", date(-100L * 86400))).seconds());
    }

    @Test
    void heuristicOnlyForHeuristicallyCacheableStatusOrPublic() {
        assertEquals(0, lifetime(response(302, "Date", date(0), "Last-Modified", date(-1000))).seconds());
        assertEquals(100, lifetime(response(302, "Cache-Control", "public", "Date", date(0),
                "Last-Modified", date(-1000))).seconds());
    }

    @Test
    void mustNotUseHeuristicWhenExplicitExpirationPresent() {
        assertEquals(0, lifetime(response(200, "Expires", "invalid", "Last-Modified", date(-100000))).seconds());
        assertEquals(5, lifetime(response(200, "Cache-Control", "max-age=5", "Last-Modified", date(-100000))).seconds());
    }

    @Test
    void noDefaultTtlWithoutFreshnessInformation() {
        Freshness.Lifetime l = lifetime(response(200, "Date", date(0)));
        assertEquals(0, l.seconds());
        assertEquals(Freshness.Source.NONE, l.source());
    }

    @Test
    void cdnCacheControlTakesPrecedenceOverCacheControl() {
        Freshness.Lifetime l = lifetime(response(200, "Cache-Control", "max-age=60", "CDN-Cache-Control", "max-age=600"));
        assertEquals(600, l.seconds());
    }

    @Test
    void ownTargetedFieldTakesPrecedenceOverCdnCacheControl() {
        ResponseHead h = response(200, "Cache-Control", "no-store", "CDN-Cache-Control", "max-age=600",
                "Cachalot-Cache-Control", "max-age=5");
        ResponseDirectives d = ResponseDirectives.of(h.headers(), CONFIG, RouteOverrides.NONE);
        assertEquals(ResponseDirectives.Source.OWN_TARGETED, d.source());
        assertEquals(5, lifetime(h).seconds());
        assertFalse(d.cc().noStore());
    }

    @Test
    void targetedFieldMakesCacheIgnoreExpires() {
        ResponseHead h = response(200, "Expires", date(600), "Date", date(0), "CDN-Cache-Control", "public");
        assertEquals(Freshness.Source.NONE, lifetime(h).source());
        assertFalse(Freshness.hasExplicitExpiration(h, ResponseDirectives.of(h.headers(), CONFIG, RouteOverrides.NONE),
                CONFIG));
    }

    @Test
    void remainingFreshnessIsLifetimeMinusAge() {
        StoredResponse s = Fixtures.stored(0, response(200, "Cache-Control", "max-age=60"));
        assertEquals(50, Freshness.remaining(s, at(10), CONFIG, RouteOverrides.NONE));
        assertEquals(-40, Freshness.remaining(s, at(100), CONFIG, RouteOverrides.NONE));
    }

    @Test
    void invalidTargetedFieldIsIgnored() {
        ResponseHead h = response(200, "Cache-Control", "max-age=60", "CDN-Cache-Control", "max-age=\"unterminated");
        assertEquals(ResponseDirectives.Source.CACHE_CONTROL,
                ResponseDirectives.of(h.headers(), CONFIG, RouteOverrides.NONE).source());
        assertEquals(60, lifetime(h).seconds());
    }

    @Test
    void targetedNoStorePreventsStoringDespiteCacheControl() {
        ResponseHead h = response(200, "Cache-Control", "max-age=60", "CDN-Cache-Control", "no-store");
        assertFalse(StorePolicy.decide(Fixtures.get("/"), h, Fixtures.T0, CONFIG, RouteOverrides.NONE).stored());
    }

    @Test
    void forcedTtlReplacesLifetimeAndSaysSo() {
        RouteOverrides o = new RouteOverrides(Duration.ofSeconds(300), Set.of(), List.of());
        Freshness.Lifetime l = lifetime(response(200, "Cache-Control", "max-age=5"), CONFIG, o);
        assertEquals(300, l.seconds());
        assertEquals(Freshness.Source.OVERRIDE, l.source());
        assertTrue(l.detail().startsWith("override"));
    }
}
