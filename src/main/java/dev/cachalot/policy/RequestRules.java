package dev.cachalot.policy;

import dev.cachalot.http.RequestHead;

/**
 * Per-request cache rules that a route's own {@link RouteOverrides} cannot express, such as the
 * forward proxy's per-host rules: overrides chosen by host and path, and a shared cache key for
 * several URLs (Squid's StoreID). Pure: a function of the route name and the request head.
 */
@FunctionalInterface
public interface RequestRules {
    /** No rules: every request is treated by its route's overrides under its own URL. */
    RequestRules NONE = (route, request) -> null;

    /**
     * The treatment of this request, or null when no rule applies (then the route's overrides and
     * the request's own primary key are used). Called once per request, so it must be cheap; a
     * returned {@link RouteOverrides} should be one stable instance per rule, because stored
     * responses cache their parsed directives per overrides instance.
     *
     * @param route   the route name the front end picked
     * @param request the client request
     */
    Treatment treat(String route, RequestHead request);

    /**
     * Told once per answered request which treatment {@link #treat} gave it (never called for null),
     * so a rule set can count the rules it applied (forward metrics). The default does nothing; an
     * implementation must be cheap and must not throw.
     */
    default void applied(Treatment treatment) {}

    /**
     * How one request is treated.
     *
     * @param overrides the overrides that apply (never null; {@link RouteOverrides#NONE} for none)
     * @param key       the primary key to store and look up under instead of the request's URL, or null
     * @param keyDetail the Cache-Status detail that reports the key rewrite (e.g.
     *                  {@code override store-id rule=debian}), or null when {@code key} is null
     */
    record Treatment(RouteOverrides overrides, String key, String keyDetail) {
        public Treatment {
            if (overrides == null) {
                throw new IllegalArgumentException("overrides must not be null (use RouteOverrides.NONE)");
            }
            if (key != null && key.isEmpty()) {
                throw new IllegalArgumentException("a rewritten key must not be empty");
            }
        }
    }
}
