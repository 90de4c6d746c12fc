package dev.cachalot.purge;

import dev.cachalot.http.HttpDates;
import dev.cachalot.policy.Freshness;
import dev.cachalot.policy.PolicyConfig;
import dev.cachalot.policy.RouteOverrides;
import dev.cachalot.policy.StoredResponse;
import java.time.Duration;
import java.time.Instant;

/**
 * How far a stored response's times must move back for it to have expired at a given instant
 * under the real policy (RFC 9111 §4.2: fresh only while lifetime &gt; age): what a soft purge
 * does to an entry. Moving the times rather than marking the entry keeps the policy unaware of
 * purges: validators, stale-if-error and stale-while-revalidate (RFC 5861) work as usual, their
 * windows counting from the purge, and {@code Age} says honestly that the copy is past its
 * lifetime.
 */
final class SoftExpiry {
    private SoftExpiry() {}

    /**
     * Seconds to move the times back so that {@code view} is stale at {@code at}: 0 when it already
     * is, -1 when no shift achieves it (cannot happen with the current policy; guarded so a future
     * rule cannot make a soft purge silently ineffective).
     */
    static long secondsToExpire(StoredResponse view, Instant at, PolicyConfig policy, RouteOverrides overrides) {
        long remaining = Freshness.remaining(view, at, policy, overrides);
        if (remaining <= 0) {
            return 0;
        }
        // RFC 9111 §4.2.3: current_age = max(apparent_age, corrected_age_value) + resident_time.
        // Moving response_time back by d adds d to resident_time but may take up to apparent_age
        // (response_time - Date) off the first term, so that much is added on top.
        Instant date = HttpDates.parse(view.head().headers().first("Date")).orElse(view.responseTime());
        long apparentAge = Math.max(0, Duration.between(date, view.responseTime()).getSeconds());
        long shift = remaining + apparentAge;
        for (int i = 0; i < 4; i++) {
            StoredResponse moved = shifted(view, shift);
            long left = Freshness.remaining(moved, at, policy, overrides);
            if (left <= 0) {
                return shift;
            }
            shift += left;
        }
        return -1;
    }

    /**
     * {@code view} made stale as of {@code at}: the same object when it already is, null when no
     * shift achieves it (the caller then removes the entry instead).
     */
    static StoredResponse staleAt(StoredResponse view, Instant at, PolicyConfig policy, RouteOverrides overrides) {
        long shift = secondsToExpire(view, at, policy, overrides);
        return shift < 0 ? null : shift == 0 ? view : shifted(view, shift);
    }

    private static StoredResponse shifted(StoredResponse view, long seconds) {
        return view.updated(view.head(), view.requestTime().minusSeconds(seconds),
                view.responseTime().minusSeconds(seconds));
    }
}
