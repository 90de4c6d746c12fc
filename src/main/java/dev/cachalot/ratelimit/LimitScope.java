package dev.cachalot.ratelimit;

/** Which limit refused a request. */
public enum LimitScope {
    /** The limit per client address ({@code rateLimits.client}). */
    CLIENT("rate-limit-client"),
    /** The limit of the route as a whole ({@code rateLimits.routes[]}). */
    ROUTE("rate-limit-route");

    private final String reason;

    LimitScope(String reason) {
        this.reason = reason;
    }

    /** The rejection reason reported to the metrics ({@code cachalot_rejections_total{reason}}). */
    public String reason() {
        return reason;
    }
}
