package dev.cachalot.policy;

import dev.cachalot.http.RequestHead;

import java.time.Instant;
import java.util.Optional;

/**
 * Whether a stored response may answer a request when the origin failed during validation or fetch
 * (RFC 9111 §4.3.3: "act as if the server failed to respond ... subject to §4.2.4"; RFC 5861 §4
 * stale-if-error). Permission must be explicit: the response's or the request's
 * {@code stale-if-error}, or the request's {@code max-stale}; must-revalidate, proxy-revalidate,
 * s-maxage and unqualified no-cache forbid it in a shared cache (RFC 9111 §4.2.4, §5.2.2.2). The
 * §4.2.4 latitude for a "disconnected" cache is deliberately not used (docs/policy.md).
 */
public final class StaleOnError {
    private StaleOnError() {}

    /** A ServeStale decision when the stored response may be served despite the failure; empty otherwise. */
    public static Optional<CacheDecision.ServeStale> decide(RequestHead request, StoredResponse entry,
                                                            OriginFailure failure, Instant now, PolicyConfig config,
                                                            RouteOverrides overrides) {
        if (entry == null || !failure.isError()) {
            return Optional.empty();
        }
        CacheControl req = RequestDirectives.parse(request.headers());
        ResponseDirectives dirs = entry.directives(config, overrides);
        CacheControl res = dirs.cc();
        if (ReusePolicy.unusable(entry, res, config) != null) {
            return Optional.empty();
        }
        if ((config.shared() && res.forbidsStaleInSharedCache()) || res.mustRevalidate()
                || (res.noCache() && res.noCacheFields().isEmpty())) {
            return Optional.empty();
        }
        long age = AgeCalculator.currentAge(entry, now);
        long ttl = entry.lifetime(config, overrides).seconds() - age;
        long staleness = Math.max(0, -ttl);
        if (req.noCache() && req.staleIfError() == DeltaSeconds.ABSENT) {
            return Optional.empty(); // the client asked for validation and did not accept errors
        }
        String why = failureDetail(failure);
        if (res.staleIfError() != DeltaSeconds.ABSENT && staleness <= res.staleIfError()
                || req.staleIfError() != DeltaSeconds.ABSENT && staleness <= req.staleIfError()) {
            return Optional.of(new CacheDecision.ServeStale(entry, StaleReason.IF_ERROR, age, ttl, null,
                    StaleReason.IF_ERROR.detail() + " (" + why + ")"));
        }
        if (req.hasMaxStale() && staleness <= req.maxStale()) {
            return Optional.of(new CacheDecision.ServeStale(entry, StaleReason.MAX_STALE, age, ttl, null,
                    StaleReason.MAX_STALE.detail() + " (" + why + ")"));
        }
        return Optional.empty();
    }

    private static String failureDetail(OriginFailure f) {
        switch (f.kind()) {
            case CONNECT_ERROR: return "connect error";
            case TIMEOUT: return "timeout";
            default: return "origin " + f.status();
        }
    }
}
