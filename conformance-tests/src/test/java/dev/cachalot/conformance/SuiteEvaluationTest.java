package dev.cachalot.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.conformance.dsl.Outcome;
import dev.cachalot.conformance.dsl.TestCase;
import dev.cachalot.conformance.dsl.TestResult;
import dev.cachalot.conformance.origin.ScriptedOrigin;
import dev.cachalot.conformance.suite.Catalog;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs selected suite tests end to end (scripted origin, runner, expectations) against two wrong "caches" built
 * in the test: one that stores everything blindly and one that stores nothing. Each judged test must give
 * opposite verdicts where the two behave differently, which shows the expectations can fail and pass.
 */
class SuiteEvaluationTest {
    private static ScriptedOrigin origin;
    private static BlindCache blind;
    private static BlindCache passThrough;
    private static Map<String, TestResult> blindResults;
    private static Map<String, TestResult> passResults;

    private static final String SELECTED = "^(store-max-age|store-no-store|store-private|vary-mismatch|auth-not-shared"
            + "|invalidate-post|stale-max-age-not-reused|age-present-on-hit|store-query-is-key|write-through-post"
            + "|forward-absolute-form-cached|client-inm-match-304)$";

    @BeforeAll
    static void run() throws Exception {
        origin = ScriptedOrigin.start(0);
        blind = new BlindCache(origin.port(), true);
        passThrough = new BlindCache(origin.port(), false);
        blindResults = runAgainst(blind, "blind");
        passResults = runAgainst(passThrough, "pass-through");
    }

    private static Map<String, TestResult> runAgainst(BlindCache cache, String name) throws Exception {
        Runner.Config cfg = new Runner.Config(name, "127.0.0.1", cache.port(), "127.0.0.1", cache.port(),
                Set.of(Runner.REVERSE), SELECTED, null, 8, 20_000);
        KnownDeviations kd = KnownDeviations.parse("test", List.of("store-private: the blind cache stores everything"));
        RunReport report = new Runner(origin, cfg, kd).run(Catalog.all());
        return report.results().stream().collect(Collectors.toMap(TestResult::id, r -> r));
    }

    @AfterAll
    static void stop() throws Exception {
        blind.close();
        passThrough.close();
        origin.close();
    }

    private static Outcome blind(String id) {
        return blindResults.get(id).outcome();
    }

    private static Outcome pass(String id) {
        return passResults.get(id).outcome();
    }

    @Test
    void positiveCachingTestPassesOnlyWhenTheCacheStores() {
        assertEquals(Outcome.PASS, blind("store-max-age"));
        assertEquals(Outcome.FAIL, pass("store-max-age"));
        assertTrue(passResults.get("store-max-age").reason().contains("received 2"), passResults.get("store-max-age").reason());
    }

    @Test
    void prohibitionsFailAgainstTheBlindCacheAndPassWithoutCaching() {
        for (String id : List.of("store-no-store", "store-private", "vary-mismatch", "auth-not-shared",
                "stale-max-age-not-reused", "store-query-is-key")) {
            if (!id.equals("store-query-is-key")) {
                assertEquals(Outcome.FAIL, blind(id), id + ": " + blindResults.get(id).reason());
            }
            assertEquals(Outcome.PASS, pass(id), id + ": " + passResults.get(id).reason());
        }
        // The blind cache keys by path and query, so distinct queries stay distinct.
        assertEquals(Outcome.PASS, blind("store-query-is-key"));
    }

    @Test
    void conditionalRequirementIsInconclusiveWhenNothingIsStored() {
        assertEquals(Outcome.INCONCLUSIVE, pass("age-present-on-hit"));
        assertEquals(Outcome.FAIL, blind("age-present-on-hit"), "the blind cache sends no Age on hits");
        assertEquals(Outcome.INCONCLUSIVE, pass("invalidate-post"));
        assertEquals(Outcome.FAIL, blind("invalidate-post"));
    }

    @Test
    void unsafeMethodsAreWrittenThrough() {
        assertEquals(Outcome.PASS, blind("write-through-post"));
        assertEquals(Outcome.PASS, pass("write-through-post"));
    }

    @Test
    void capabilityNotClaimedIsNotApplicable() {
        TestResult r = blindResults.get("forward-absolute-form-cached");
        assertEquals(Outcome.NOT_APPLICABLE, r.outcome());
        assertTrue(r.reason().contains("forward-proxy"), r.reason());
    }

    @Test
    void knownDeviationIsAttachedButDoesNotTurnAFailIntoAPass() {
        TestResult r = blindResults.get("store-private");
        assertEquals(Outcome.FAIL, r.outcome());
        assertNotNull(r.knownDeviation());
        assertTrue(Main.unexplainedMust(new RunReport("x", "u", "t", 0, List.of(), List.of(r))).isEmpty());
        TestResult other = blindResults.get("store-no-store");
        assertEquals(1, Main.unexplainedMust(new RunReport("x", "u", "t", 0, List.of(), List.of(other))).size());
    }

    @Test
    void transcriptRecordsEveryExchange() {
        TestResult r = passResults.get("store-max-age");
        assertEquals(2, r.transcript().stream().filter(l -> l.contains("→ GET /r")).count(), r.transcript().toString());
        assertTrue(r.transcript().get(1).contains("origin requests: 1 → 2"), r.transcript().toString());
    }

    @Test
    void onlyFilterSelectsTests() {
        assertEquals(12, blindResults.size());
        for (TestCase t : Catalog.all()) {
            assertEquals(t.id().matches(SELECTED), blindResults.containsKey(t.id()), t.id());
        }
    }
}
