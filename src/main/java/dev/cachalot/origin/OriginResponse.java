package dev.cachalot.origin;

import dev.cachalot.http.ResponseHead;
import java.io.Closeable;
import java.io.InputStream;

/**
 * A response from an origin whose body is still on the wire. The caller must end it with
 * {@link #close()} after reading the body to its end (the connection goes back to the pool) or with
 * {@link #abort()} when it gives up early (the connection is discarded, never reused).
 */
public interface OriginResponse extends Closeable {
    /** The final response head, hop-by-hop fields still present (see {@code ProxyHeaders}). */
    ResponseHead head();

    /**
     * The body as it arrives, already de-chunked; empty for HEAD, 1xx, 204 and 304. Reads throw
     * {@link OriginException} (kind RESET or RESPONSE_TIMEOUT) when the origin fails mid-body.
     */
    InputStream body();

    /** Body length from Content-Length, or -1 when delimited by chunking or by close. */
    long contentLength();

    /** Nanoseconds from sending the request to receiving the response head. */
    long headNanos();

    /** Releases the exchange: reuses the connection if the body was read to its end, else discards it. */
    @Override
    void close();

    /** Discards the connection without reading the rest of the body. */
    void abort();
}
