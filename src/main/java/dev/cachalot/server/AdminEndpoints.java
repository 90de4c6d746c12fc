package dev.cachalot.server;

import io.undertow.server.HttpHandler;

/**
 * Builds the handler served on the admin listener. The built-in one answers /health and /ready; the
 * operations module supplies a richer one (metrics, stats, purge) through this seam.
 */
@FunctionalInterface
public interface AdminEndpoints {
    /**
     * @param state lets the handler ask whether the proxy is ready (listeners up, not draining)
     * @return the handler for every admin request
     */
    HttpHandler handler(ProxyState state);

    /** What the admin side may ask about the running proxy. */
    interface ProxyState {
        /** True while the proxy accepts traffic (started and not shutting down). */
        boolean ready();

        /** Requests currently being processed. */
        int inFlight();

        /** Client connections currently open. */
        int openConnections();

        /** Why the proxy is not ready ("starting", "draining"), or null when it is. */
        default String notReadyReason() {
            return ready() ? null : "not ready";
        }

        /** The origin connection pool numbers (leased, available, pending, max). */
        dev.cachalot.origin.OriginClient.PoolStats originPool();
    }
}
