package dev.cachalot.server;

import java.io.IOException;

/**
 * What answers a request once the front end has accepted it (framing checked, limits passed, route
 * chosen). The pass-through proxy is the first implementation; the caching pipeline implements the
 * same two methods.
 */
public interface RequestProcessor {
    /**
     * Optional fast path, called on the I/O thread: answer with
     * {@link ResponseSink#sendComplete} and return true, or return false to continue with
     * {@link #process} on a worker thread. Must never block. The request body is not readable here.
     */
    default boolean tryAnswerNow(ClientRequest request, ResponseSink sink) {
        return false;
    }

    /**
     * The blocking path, on a worker thread: read the body, talk to the origin, write the response.
     * An exception that escapes becomes a 502 (or an aborted connection when the response has
     * already started).
     */
    void process(ClientRequest request, ResponseSink sink) throws IOException;
}
