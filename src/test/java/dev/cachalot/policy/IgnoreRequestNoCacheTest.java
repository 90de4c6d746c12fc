package dev.cachalot.policy;

import static dev.cachalot.policy.Fixtures.CONFIG;
import static dev.cachalot.policy.Fixtures.at;
import static dev.cachalot.policy.Fixtures.get;
import static dev.cachalot.policy.Fixtures.response;
import static dev.cachalot.policy.Fixtures.stored;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The opt-in {@link RouteOverrides#ignoreRequestNoCache()} deviation (Squid's ignore-reload): a
 * request no-cache / Pragma: no-cache / max-age=0 is served from a FRESH stored response and the
 * detail says so; stale responses, response no-cache and other request limits are unaffected.
 */
class IgnoreRequestNoCacheTest {
    private static final RouteOverrides RULE = new RouteOverrides(null, Set.of(), List.of(), true, "maven");
    private static final StoredResponse FRESH_60 = stored(0, response(200, "Cache-Control", "max-age=60", "ETag",
            "\"v1\""));

    private static CacheDecision decide(RouteOverrides o, long now, StoredResponse s, String... headers) {
        return ReusePolicy.decide(get("/a.jar", headers), List.of(s), at(now), CONFIG, o);
    }

    @Test
    void freshResponseServedDespiteRequestNoCacheWithTheRuleInDetail() {
        CacheDecision.Serve s = assertInstanceOf(CacheDecision.Serve.class,
                decide(RULE, 10, FRESH_60, "Cache-Control", "no-cache", "Pragma", "no-cache"));
        assertEquals("override ignored request no-cache rule=maven", s.detail());
        CacheDecision.Serve p = assertInstanceOf(CacheDecision.Serve.class, decide(RULE, 10, FRESH_60, "Pragma",
                "no-cache"));
        assertEquals("override ignored request no-cache rule=maven", p.detail());
        CacheDecision.Serve m = assertInstanceOf(CacheDecision.Serve.class, decide(RULE, 10, FRESH_60,
                "Cache-Control", "max-age=0"));
        assertEquals("override ignored request max-age=0 rule=maven", m.detail());
    }

    @Test
    void withoutTheRuleTheRequestIsHonoured() {
        CacheDecision.Revalidate r = assertInstanceOf(CacheDecision.Revalidate.class,
                decide(RouteOverrides.NONE, 10, FRESH_60, "Cache-Control", "no-cache"));
        assertEquals(ForwardReason.REQUEST, r.reason());
        assertInstanceOf(CacheDecision.Revalidate.class, decide(RouteOverrides.NONE, 10, FRESH_60, "Cache-Control",
                "max-age=0"));
    }

    @Test
    void staleResponsesAndOtherLimitsAreNotAffected() {
        CacheDecision.Revalidate stale = assertInstanceOf(CacheDecision.Revalidate.class,
                decide(RULE, 61, FRESH_60, "Cache-Control", "no-cache"));
        assertEquals("request no-cache", stale.detail(), "a stale response: the request's no-cache is honoured");
        assertInstanceOf(CacheDecision.Revalidate.class, decide(RULE, 10, FRESH_60, "Cache-Control", "max-age=5"));
        assertInstanceOf(CacheDecision.Revalidate.class, decide(RULE, 10, FRESH_60, "Cache-Control",
                "min-fresh=55"));
        StoredResponse responseNoCache = stored(0, response(200, "Cache-Control", "max-age=60, no-cache"));
        assertInstanceOf(CacheDecision.Revalidate.class, decide(RULE, 10, responseNoCache, "Cache-Control",
                "no-cache"));
    }

    @Test
    void forcedTtlDetailNamesTheRule() {
        RouteOverrides ttl = new RouteOverrides(Duration.ofDays(1), Set.of(), List.of(), false, "debs");
        CacheDecision.Serve s = assertInstanceOf(CacheDecision.Serve.class, decide(ttl, 3600, FRESH_60));
        assertEquals("override force-ttl=86400 rule=debs", s.detail());
        assertEquals("override force-ttl=86400", assertInstanceOf(CacheDecision.Serve.class,
                decide(new RouteOverrides(Duration.ofDays(1), Set.of(), List.of()), 3600, FRESH_60)).detail());
    }
}
