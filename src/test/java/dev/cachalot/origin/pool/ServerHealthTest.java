package dev.cachalot.origin.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.config.OriginPoolConfig;
import dev.cachalot.origin.pool.ServerHealth.State;
import dev.cachalot.origin.pool.ServerHealth.Transition;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The health state machine, driven by explicit instants (no clock, no sleeps). */
class ServerHealthTest {
    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");
    private static final OriginPoolConfig.HealthCheck CHECK = new OriginPoolConfig.HealthCheck("/health",
            Duration.ofSeconds(5), Duration.ofSeconds(1), "200-399", 2, 3);
    private static final OriginPoolConfig.Ejection EJECT = new OriginPoolConfig.Ejection(3, false,
            Duration.ofSeconds(10), Duration.ofSeconds(35));

    private static Instant at(long seconds) {
        return T0.plusSeconds(seconds);
    }

    @Test
    void startsHealthyAndGoesDownAfterTheUnhealthyThresholdOfFailedChecksInARow() {
        ServerHealth h = new ServerHealth(CHECK, EJECT);
        assertTrue(h.available(T0));
        assertEquals(Transition.NONE, h.onCheck(false, "refused", at(0)));
        assertEquals(Transition.NONE, h.onCheck(false, "refused", at(5)));
        assertTrue(h.available(at(5)), "two failures are below the threshold of 3");
        assertEquals(Transition.MARKED_DOWN, h.onCheck(false, "refused", at(10)));
        assertFalse(h.available(at(10)));
        assertEquals(State.UNHEALTHY, h.state(at(10)));
        assertEquals(new ServerHealth.CheckResult(at(10), false, "refused"), h.lastCheck());
    }

    @Test
    void aPassBetweenFailuresRestartsTheCount() {
        ServerHealth h = new ServerHealth(CHECK, EJECT);
        h.onCheck(false, "x", at(0));
        h.onCheck(false, "x", at(5));
        h.onCheck(true, "200", at(10));
        h.onCheck(false, "x", at(15));
        h.onCheck(false, "x", at(20));
        assertTrue(h.available(at(20)));
        assertEquals(Transition.MARKED_DOWN, h.onCheck(false, "x", at(25)));
    }

    @Test
    void comesBackAfterTheHealthyThresholdOfPassingChecks() {
        ServerHealth h = new ServerHealth(CHECK, EJECT);
        for (int i = 0; i < 3; i++) {
            h.onCheck(false, "x", at(i * 5L));
        }
        assertFalse(h.available(at(15)));
        assertEquals(Transition.NONE, h.onCheck(true, "200", at(20)));
        assertFalse(h.available(at(20)), "one pass is below the healthy threshold of 2");
        assertEquals(Transition.RECOVERED, h.onCheck(true, "200", at(25)));
        assertTrue(h.available(at(25)));
        assertTrue(h.passingChecks());
    }

    @Test
    void consecutiveErrorsEjectForTheBaseDurationAndTheServerReturnsAfterIt() {
        ServerHealth h = new ServerHealth(CHECK, EJECT);
        assertEquals(Transition.NONE, h.onError(at(0)));
        assertEquals(Transition.NONE, h.onError(at(1)));
        assertEquals(Transition.EJECTED, h.onError(at(2)));
        assertEquals(State.EJECTED, h.state(at(2)));
        assertEquals(at(12), h.ejectedUntil(at(2)));
        assertFalse(h.available(at(11)));
        assertTrue(h.available(at(12)), "the ejection ends after its period");
        assertNull(h.ejectedUntil(at(12)));
        assertEquals(1, h.ejections());
        assertEquals(3, h.errors());
    }

    @Test
    void aSuccessInBetweenResetsTheErrorCount() {
        ServerHealth h = new ServerHealth(CHECK, EJECT);
        h.onError(at(0));
        h.onError(at(1));
        h.onSuccess(at(2));
        h.onError(at(3));
        assertEquals(Transition.NONE, h.onError(at(4)));
        assertTrue(h.available(at(4)));
        assertEquals(Transition.EJECTED, h.onError(at(5)));
    }

    @Test
    void repeatedEjectionsDoubleTheBackOffUpToTheMaximumAndASuccessResetsIt() {
        ServerHealth h = new ServerHealth(CHECK, EJECT);
        long t = 0;
        long[] expected = {10, 20, 35, 35};
        for (long period : expected) {
            for (int i = 0; i < 3; i++) {
                h.onError(at(t));
            }
            assertEquals(at(t + period), h.ejectedUntil(at(t)), "ejection at " + t);
            t += period; // back after the period, and failing again at once
        }
        h.onSuccess(at(t));
        for (int i = 0; i < 3; i++) {
            h.onError(at(t));
        }
        assertEquals(at(t + 10), h.ejectedUntil(at(t)), "a success resets the back-off");
    }

    @Test
    void errorsWhileEjectedNeitherExtendTheEjectionNorCountTowardsTheNext() {
        ServerHealth h = new ServerHealth(CHECK, EJECT);
        for (int i = 0; i < 3; i++) {
            h.onError(at(0));
        }
        assertEquals(Transition.NONE, h.onError(at(5)));
        assertEquals(at(10), h.ejectedUntil(at(5)));
        assertEquals(0, h.consecutiveErrors());
        assertEquals(4, h.errors());
    }

    @Test
    void passingChecksEndAnEjectionEarly() {
        ServerHealth h = new ServerHealth(CHECK, EJECT);
        for (int i = 0; i < 3; i++) {
            h.onError(at(0));
        }
        assertEquals(Transition.NONE, h.onCheck(true, "200", at(1)));
        assertFalse(h.available(at(1)), "passes before the ejection do not count; one after is not enough");
        assertEquals(Transition.RECOVERED, h.onCheck(true, "200", at(2)));
        assertTrue(h.available(at(2)));
        assertNull(h.ejectedUntil(at(2)));
    }

    @Test
    void passesBeforeAnEjectionDoNotEndIt() {
        ServerHealth h = new ServerHealth(CHECK, EJECT);
        for (int i = 0; i < 5; i++) {
            h.onCheck(true, "200", at(i));
        }
        for (int i = 0; i < 3; i++) {
            h.onError(at(5));
        }
        assertEquals(Transition.NONE, h.onCheck(true, "200", at(6)));
        assertEquals(State.EJECTED, h.state(at(6)));
    }

    @Test
    void withEjectionOffErrorsAreCountedButNeverEject() {
        ServerHealth h = new ServerHealth(OriginPoolConfig.HealthCheck.OFF, OriginPoolConfig.Ejection.OFF);
        for (int i = 0; i < 100; i++) {
            assertEquals(Transition.NONE, h.onError(at(i)));
        }
        assertTrue(h.available(at(100)));
        assertEquals(100, h.errors());
    }

    @Test
    void backoffDoublesAndCaps() {
        assertEquals(Duration.ofSeconds(1), ServerHealth.backoff(Duration.ofSeconds(1), Duration.ofSeconds(5), 0));
        assertEquals(Duration.ofSeconds(4), ServerHealth.backoff(Duration.ofSeconds(1), Duration.ofSeconds(5), 2));
        assertEquals(Duration.ofSeconds(5), ServerHealth.backoff(Duration.ofSeconds(1), Duration.ofSeconds(5), 3));
        assertEquals(Duration.ofSeconds(5), ServerHealth.backoff(Duration.ofSeconds(1), Duration.ofSeconds(5), 1000));
    }
}
