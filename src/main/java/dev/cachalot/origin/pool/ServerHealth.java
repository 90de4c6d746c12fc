package dev.cachalot.origin.pool;

import dev.cachalot.config.OriginPoolConfig;
import java.time.Duration;
import java.time.Instant;

/**
 * The health state machine of one origin server: the active check's verdict (consecutive passes
 * and failures against thresholds) and passive ejection (consecutive request errors eject it for a
 * back-off period that doubles on each ejection without a success in between). It never reads a
 * clock: every event carries its {@code Instant now}. Thread-safe (one lock per server).
 *
 * <p>A new server starts healthy: traffic flows at once, and the first checks or errors take it out
 * if it is not. An ejection ends when its period is over (the server is then tried again: the next
 * errors eject it for twice as long) or earlier, when {@code healthyThreshold} checks in a row pass.
 */
public final class ServerHealth {
    /** What an event changed. */
    public enum Transition {
        /** Nothing that changes whether the server may be chosen. */
        NONE,
        /** Too many request errors in a row: the server is ejected for a back-off period. */
        EJECTED,
        /** Too many failed health checks in a row: the server is down until checks pass again. */
        MARKED_DOWN,
        /** Health checks passed again: the server is back (from down or from an ejection). */
        RECOVERED
    }

    /** The server's state as shown in metrics and on {@code /pools}. */
    public enum State {
        /** May be chosen. */
        HEALTHY,
        /** Taken out by failed active health checks. */
        UNHEALTHY,
        /** Taken out for a while by request errors (passive ejection). */
        EJECTED
    }

    /**
     * The result of the last health check.
     *
     * @param at     when it completed
     * @param passed whether it passed
     * @param detail the status received, or the failure
     */
    public record CheckResult(Instant at, boolean passed, String detail) {
    }

    private final OriginPoolConfig.HealthCheck check;
    private final OriginPoolConfig.Ejection ejection;

    private boolean checkedHealthy = true;
    private int checkPasses;
    private int checkFailures;
    private int consecutiveErrors;
    /** End of the current (or last) ejection, or null when never ejected or ended by checks. */
    private Instant ejectedUntil;
    /** Ejections since the last success: the back-off exponent. */
    private int backoffLevel;
    private long errors;
    private long ejections;
    private CheckResult lastCheck;

    public ServerHealth(OriginPoolConfig.HealthCheck check, OriginPoolConfig.Ejection ejection) {
        this.check = check;
        this.ejection = ejection;
    }

    /** True when the server may be chosen at {@code now}. */
    public synchronized boolean available(Instant now) {
        return checkedHealthy && !ejected(now);
    }

    /** The state at {@code now}; an ejection outranks a failed check (it ends on its own). */
    public synchronized State state(Instant now) {
        if (ejected(now)) {
            return State.EJECTED;
        }
        return checkedHealthy ? State.HEALTHY : State.UNHEALTHY;
    }

    private boolean ejected(Instant now) {
        return ejectedUntil != null && now.isBefore(ejectedUntil);
    }

    /** A request got an answer that is not an error. */
    public synchronized Transition onSuccess(Instant now) {
        consecutiveErrors = 0;
        if (!ejected(now)) {
            backoffLevel = 0;
        }
        return Transition.NONE;
    }

    /** A request failed in a way that counts against the server (connect failure, reset, 5xx if configured). */
    public synchronized Transition onError(Instant now) {
        errors++;
        if (ejected(now)) {
            // An answer to a request sent before the ejection: already out.
            return Transition.NONE;
        }
        consecutiveErrors++;
        if (!ejection.enabled() || consecutiveErrors < ejection.consecutiveErrors()) {
            return Transition.NONE;
        }
        Duration period = backoff(ejection.duration(), ejection.maxDuration(), backoffLevel);
        backoffLevel++;
        ejections++;
        consecutiveErrors = 0;
        checkPasses = 0; // recovery by checks counts passes from now on
        ejectedUntil = now.plus(period);
        return Transition.EJECTED;
    }

    /** {@code base} doubled {@code level} times, at most {@code max}. */
    static Duration backoff(Duration base, Duration max, int level) {
        Duration d = base;
        for (int i = 0; i < level && d.compareTo(max) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(max) > 0 ? max : d;
    }

    /** A health check completed at {@code now}. */
    public synchronized Transition onCheck(boolean passed, String detail, Instant now) {
        lastCheck = new CheckResult(now, passed, detail);
        if (passed) {
            checkPasses++;
            checkFailures = 0;
            if (checkPasses < check.healthyThreshold()) {
                return Transition.NONE;
            }
            boolean wasOut = !checkedHealthy || ejected(now);
            checkedHealthy = true;
            if (ejected(now)) {
                ejectedUntil = null;
                consecutiveErrors = 0;
            }
            return wasOut ? Transition.RECOVERED : Transition.NONE;
        }
        checkFailures++;
        checkPasses = 0;
        if (checkedHealthy && checkFailures >= check.unhealthyThreshold()) {
            checkedHealthy = false;
            return Transition.MARKED_DOWN;
        }
        return Transition.NONE;
    }

    /** When the current ejection ends, or null when the server is not ejected at {@code now}. */
    public synchronized Instant ejectedUntil(Instant now) {
        return ejected(now) ? ejectedUntil : null;
    }

    /** False while the active health checks have the server out (whatever its ejection). */
    public synchronized boolean passingChecks() {
        return checkedHealthy;
    }

    /** Request errors counted since start. */
    public synchronized long errors() {
        return errors;
    }

    /** Ejections since start. */
    public synchronized long ejections() {
        return ejections;
    }

    /** Request errors in a row so far. */
    public synchronized int consecutiveErrors() {
        return consecutiveErrors;
    }

    /** The last health check, or null before the first one. */
    public synchronized CheckResult lastCheck() {
        return lastCheck;
    }
}
