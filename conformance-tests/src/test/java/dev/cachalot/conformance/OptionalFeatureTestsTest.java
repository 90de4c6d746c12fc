package dev.cachalot.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cachalot.conformance.dsl.Outcome;
import dev.cachalot.conformance.dsl.TestResult;
import dev.cachalot.conformance.origin.ScriptedOrigin;
import dev.cachalot.conformance.suite.Catalog;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The tests of features no peer cache exercises by default (Cache-Status, CDN-Cache-Control), run against test
 * doubles, so that their expectations are known to pass on a well-formed field and fail on a broken one.
 */
class OptionalFeatureTestsTest {
    private static Map<String, TestResult> run(BlindCache cache, ScriptedOrigin origin, String only, Set<String> caps)
            throws Exception {
        Runner.Config cfg = new Runner.Config("double", "127.0.0.1", cache.port(), "127.0.0.1", cache.port(), caps, only,
                null, 16, 20_000);
        return new Runner(origin, cfg, KnownDeviations.none()).run(Catalog.all()).results().stream()
                .collect(Collectors.toMap(TestResult::id, r -> r));
    }

    @Test
    void cacheStatusTestsPassOnAWellFormedField() throws Exception {
        try (ScriptedOrigin origin = ScriptedOrigin.start(0);
             BlindCache cache = new BlindCache(origin.port(), true).cacheStatus("Blind; hit; ttl=3599",
                     "Blind; fwd=uri-miss; fwd-status=200; stored; collapsed=?0; key=\"/r\"; detail=blind")) {
            Map<String, TestResult> r = run(cache, origin, "^cache-status-(emitted|list-syntax|member|hit-on-hit|fwd-on-miss"
                    + "|hit-fwd|fwd-known|fwd-status|ttl|collapsed|key|detail)", Set.of("reverse"));
            assertEquals(13, r.size());
            for (TestResult t : r.values()) {
                assertEquals(Outcome.PASS, t.outcome(), t.id() + ": " + t.reason() + " " + t.transcript());
            }
        }
    }

    @Test
    void cacheStatusTestsFailOnABrokenField() throws Exception {
        try (ScriptedOrigin origin = ScriptedOrigin.start(0);
             BlindCache cache = new BlindCache(origin.port(), true).cacheStatus("Blind; hit; fwd=miss; ttl=\"long\"",
                     "Blind; fwd=nope; fwd-status=\"200\"; stored=?2")) {
            Map<String, TestResult> r = run(cache, origin, "^cache-status-(list-syntax-hit|list-syntax-miss|hit-fwd"
                    + "|ttl)", Set.of("reverse"));
            assertEquals(Outcome.PASS, r.get("cache-status-list-syntax-hit").outcome());
            assertEquals(Outcome.FAIL, r.get("cache-status-list-syntax-miss").outcome(), "?2 is not a Boolean");
            assertEquals(Outcome.FAIL, r.get("cache-status-hit-fwd-exclusive").outcome());
            assertEquals(Outcome.FAIL, r.get("cache-status-ttl-integer").outcome());
        }
    }

    @Test
    void cacheStatusTestsAreInconclusiveWithoutTheField() throws Exception {
        try (ScriptedOrigin origin = ScriptedOrigin.start(0); BlindCache cache = new BlindCache(origin.port(), true)) {
            Map<String, TestResult> r = run(cache, origin, "^cache-status-", Set.of("reverse"));
            assertEquals(Outcome.FAIL, r.get("cache-status-emitted").outcome());
            assertEquals(Outcome.INCONCLUSIVE, r.get("cache-status-list-syntax-miss").outcome());
        }
    }

    @Test
    void cdnCacheControlTestsDistinguishStoringFromNotStoring() throws Exception {
        try (ScriptedOrigin origin = ScriptedOrigin.start(0);
             BlindCache blind = new BlindCache(origin.port(), true);
             BlindCache none = new BlindCache(origin.port(), false)) {
            Map<String, TestResult> b = run(blind, origin, "^cdn-cc-", Set.of("reverse", "cdn-cache-control"));
            Map<String, TestResult> n = run(none, origin, "^cdn-cc-", Set.of("reverse", "cdn-cache-control"));
            assertEquals(Outcome.PASS, b.get("cdn-cc-overrides-no-store").outcome());
            assertEquals(Outcome.FAIL, n.get("cdn-cc-overrides-no-store").outcome());
            assertEquals(Outcome.FAIL, b.get("cdn-cc-no-store-wins").outcome());
            assertEquals(Outcome.PASS, n.get("cdn-cc-no-store-wins").outcome());
        }
    }
}
