package dev.cachalot.pipeline;

import dev.cachalot.server.ClientRequest;
import dev.cachalot.server.ResponseSink;

/**
 * The pipeline's admission seam after lookup: asked once per request, at the point where the
 * decision needs the origin (a miss, a revalidation, a bypass or an unsafe method, led or
 * collapsed), never for a request the cache answers itself (fresh or stale hit, only-if-cached 504).
 * This is where a rate limit that exempts cache hits is applied (dev.cachalot.ratelimit).
 */
@FunctionalInterface
public interface OriginAdmission {
    /** Admits everything (the default). */
    OriginAdmission ALL = (request, sink) -> true;

    /**
     * @return true to go on to the origin; false when the admission has answered the request
     *         itself through {@code sink} (e.g. 429), after which the pipeline does nothing more
     */
    boolean admit(ClientRequest request, ResponseSink sink);
}
