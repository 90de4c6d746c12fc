package dev.cachalot.ratelimit;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.metrics.ProxyMetrics;
import dev.cachalot.pipeline.OriginAdmission;
import dev.cachalot.server.ClientRequest;
import dev.cachalot.server.ResponseSink;

/**
 * Applies the {@link RateLimiter} to one request and answers a refused one: {@code 429 Too Many
 * Requests} (RFC 6585 §4) with {@code Retry-After} in whole seconds until a token is available
 * (RFC 9110 §10.2.3), {@code Cache-Control: no-store}, and a plain-text body naming the limit, the
 * client or route and the request id. The outcome word {@value #OUTCOME} goes to the access log and
 * {@code cachalot_requests_total}; the rejection to {@code cachalot_rejections_total{reason}}.
 */
public final class RateLimitGate {
    /** The outcome word of a refused request (access log, metrics). */
    public static final String OUTCOME = "RATE-LIMITED";

    private final RateLimiter limiter;
    private final ProxyMetrics metrics;

    public RateLimitGate(RateLimiter limiter, ProxyMetrics metrics) {
        this.limiter = limiter;
        this.metrics = metrics;
    }

    /** The limiter (its settings decide where the gate is applied). */
    public RateLimiter limiter() {
        return limiter;
    }

    /**
     * Takes the request's tokens or answers 429.
     *
     * @return the admission (to give back if unused), or null when the request was refused and answered
     */
    Admission.Admitted acquire(ClientRequest request, ResponseSink sink) {
        Admission a = limiter.acquire(request.client().clientAddress(), request.route().route());
        if (a instanceof Admission.Admitted ok) {
            return ok;
        }
        refuse(request, sink, (Admission.Limited) a);
        return null;
    }

    /**
     * The seam for the caching pipeline: charges a request when it is about to reach the origin,
     * but only while cache hits are exempt (otherwise {@link RateLimitingProcessor} has charged it
     * before the lookup already).
     */
    public OriginAdmission originAdmission() {
        return (request, sink) -> {
            RateLimitConfig c = limiter.config();
            return !c.enabled() || !c.exemptHits() || acquire(request, sink) != null;
        };
    }

    private void refuse(ClientRequest request, ResponseSink sink, Admission.Limited l) {
        metrics.rejected(l.scope().reason());
        sink.outcome(OUTCOME);
        String who = l.scope() == LimitScope.CLIENT ? "client " + request.client().clientAddress()
                + (l.subject().equals(request.client().clientAddress()) ? "" : " (network " + l.subject() + ")")
                : "route '" + l.subject() + "'";
        String message = "429 Too Many Requests: " + who + " is over its limit of " + l.limit().describe()
                + " (rateLimits." + (l.scope() == LimitScope.CLIENT ? "client" : "routes") + "); retry after "
                + l.retryAfterSeconds() + " s (request " + request.client().requestId() + ")";
        sink.sendError(429, message, HeaderFields.of("Retry-After", Long.toString(l.retryAfterSeconds()),
                "Cache-Control", "no-store"));
    }
}
