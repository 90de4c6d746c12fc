package dev.cachalot.metrics;

/**
 * The forward proxy's own metrics, as domain events (the forward package never sees the metrics
 * library). Requests answered by the cache pipeline on the forward listener are counted from their
 * exchange record (route {@code forward}), so the cached/forwarded split uses the same outcome word
 * as the access log; the events below are what only the forward package knows. Implementations never
 * throw.
 */
public interface ForwardMetrics {
    /** Why the forward proxy refused a request or a tunnel (the label value is {@link #label()}). */
    enum Refusal {
        /** 403: the client's address is not in {@code forward.clients}. */
        CLIENT_DENIED("client-denied"),
        /** 407: no proxy credentials were sent. */
        AUTH_REQUIRED("auth-required"),
        /** 407: the proxy credentials were wrong (unknown user or password). */
        AUTH_FAILED("auth-failed"),
        /** 403: {@code forward.rules} or the port lists refuse the destination. */
        DESTINATION_DENIED("destination-denied"),
        /** 403: the destination resolves to an address the address guard denies. */
        ADDRESS_DENIED("address-denied"),
        /** 502: the destination name does not resolve (tunnels only; requests count it as {@code error}). */
        UNRESOLVABLE("unresolvable"),
        /** 503: {@code forward.maxTunnels} tunnels are open (tunnels only). */
        TUNNEL_LIMIT("limit"),
        /** 502: no TCP connection to the destination (tunnels only). */
        CONNECT_FAILED("connect-failed");

        private final String label;

        Refusal(String label) {
            this.label = label;
        }

        /** The metric label value. */
        public String label() {
            return label;
        }
    }

    /** A per-host cache rule that governed a request on the forward listener. */
    enum RuleEffect {
        /** A {@code forward.storeIds} rule replaced the request's cache key. */
        STORE_ID("store-id"),
        /** A {@code forward.cacheRules} rule with {@code forceTtl} set the request's freshness lifetime. */
        FORCE_TTL("force-ttl");

        private final String label;

        RuleEffect(String label) {
            this.label = label;
        }

        /** The metric label value. */
        public String label() {
            return label;
        }
    }

    /** An absolute-form request was refused before reaching the cache. */
    void requestRefused(Refusal why);

    /** A CONNECT request was refused (no tunnel). */
    void tunnelRefused(Refusal why);

    /** A CONNECT tunnel was opened (the destination connected). */
    void tunnelOpened();

    /** An opened tunnel closed after relaying these bytes (up: client to destination; down: back). */
    void tunnelClosed(long bytesUp, long bytesDown);

    /** A per-host cache rule governed one request (counted once per request). */
    void ruleApplied(RuleEffect effect);

    /** Records nothing. */
    static ForwardMetrics noop() {
        return NoopForwardMetrics.INSTANCE;
    }
}
