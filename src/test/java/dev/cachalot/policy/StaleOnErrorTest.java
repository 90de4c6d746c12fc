package dev.cachalot.policy;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static dev.cachalot.policy.Fixtures.CONFIG;
import static dev.cachalot.policy.Fixtures.at;
import static dev.cachalot.policy.Fixtures.get;
import static dev.cachalot.policy.Fixtures.response;
import static dev.cachalot.policy.Fixtures.stored;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RFC 5861 §4 stale-if-error and RFC 9111 §4.3.3 5xx during revalidation. */
class StaleOnErrorTest {

    private static Optional<CacheDecision.ServeStale> decide(StoredResponse s, OriginFailure f, long now, String... req) {
        return StaleOnError.decide(get("/", req), s, f, at(now), CONFIG, RouteOverrides.NONE);
    }

    private static final StoredResponse SIE = stored(0, response(200, "Cache-Control", "max-age=60, stale-if-error=100"));

    @Test
    void staleIfErrorServesStaleOnConnectionErrorTimeoutAnd5xx() {
        for (OriginFailure f : new OriginFailure[] {OriginFailure.connectError(), OriginFailure.timeout(),
                OriginFailure.status(500), OriginFailure.status(502), OriginFailure.status(503), OriginFailure.status(504)}) {
            Optional<CacheDecision.ServeStale> d = decide(SIE, f, 120);
            assertTrue(d.isPresent(), f.toString());
            assertEquals(StaleReason.IF_ERROR, d.get().reason());
        }
        assertEquals("stale-if-error (origin 503)", decide(SIE, OriginFailure.status(503), 120).get().detail());
    }

    @Test
    void staleIfErrorWindowIsBounded() {
        assertFalse(decide(SIE, OriginFailure.timeout(), 161).isPresent());
        assertTrue(decide(SIE, OriginFailure.timeout(), 160).isPresent());
    }

    @Test
    void nonErrorStatusesDoNotTriggerStale() {
        assertFalse(decide(SIE, OriginFailure.status(501), 120).isPresent());
        assertFalse(decide(SIE, OriginFailure.status(404), 120).isPresent());
    }

    @Test
    void staleIsNotServedOnErrorWithoutExplicitPermission() {
        StoredResponse plain = stored(0, response(200, "Cache-Control", "max-age=60"));
        assertFalse(decide(plain, OriginFailure.connectError(), 61).isPresent());
    }

    @Test
    void requestStaleIfErrorAndMaxStaleGrantPermission() {
        StoredResponse plain = stored(0, response(200, "Cache-Control", "max-age=60"));
        assertTrue(decide(plain, OriginFailure.status(502), 100, "Cache-Control", "stale-if-error=50").isPresent());
        assertEquals(StaleReason.MAX_STALE,
                decide(plain, OriginFailure.status(502), 100, "Cache-Control", "max-stale=50").get().reason());
    }

    @Test
    void mustRevalidateForbidsStaleOnErrorSoClientGets504OrError() {
        StoredResponse mr = stored(0, response(200, "Cache-Control", "max-age=60, must-revalidate, stale-if-error=100"));
        assertFalse(decide(mr, OriginFailure.status(503), 70).isPresent());
        StoredResponse sm = stored(0, response(200, "Cache-Control", "s-maxage=60, stale-if-error=100"));
        assertFalse(decide(sm, OriginFailure.status(503), 70).isPresent());
    }

    @Test
    void requestNoCacheWithoutStaleIfErrorGetsTheError() {
        assertFalse(decide(SIE, OriginFailure.status(503), 70, "Cache-Control", "no-cache").isPresent());
    }

    @Test
    void unshareableStoredResponseIsNeverServedOnError() {
        StoredResponse cookie = stored(0, response(200, "Cache-Control", "max-age=60, stale-if-error=100",
                "Set-Cookie", "sid=alice"));
        assertFalse(decide(cookie, OriginFailure.status(503), 70).isPresent());
    }

    @Test
    void noEntryMeansNoStale() {
        assertFalse(StaleOnError.decide(get("/"), null, OriginFailure.timeout(), at(0), CONFIG, RouteOverrides.NONE).isPresent());
    }
}
