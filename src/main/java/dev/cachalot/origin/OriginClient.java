package dev.cachalot.origin;

import dev.cachalot.http.RequestHead;
import java.io.Closeable;

/**
 * Sends requests to origins: blocking, streaming both ways, one pooled connection set for all
 * origins. Implementations send the head exactly as given (the caller has already removed hop-by-hop
 * fields and added Via/Forwarded, see {@code ProxyHeaders}), never follow redirects, never retry a
 * request that may have reached the origin, never decompress, keep no cookies and add no fields of
 * their own beyond framing (Host, Content-Length/Transfer-Encoding, Connection where required).
 */
public interface OriginClient extends Closeable {
    /**
     * Sends one request and returns once the final response head has arrived. Interim 1xx responses
     * are consumed (100 Continue releases the request body). The caller must close or abort the
     * returned response.
     *
     * @param target where to send it
     * @param head   the request head to send (its target is the path and query)
     * @param body   the request body, or null when the request has none
     * @throws OriginException with a {@link OriginException.Kind} when no response head was received
     */
    OriginResponse send(OriginTarget target, RequestHead head, RequestBody body) throws OriginException;

    /** Current connection pool numbers, for metrics. */
    PoolStats poolStats();

    /** Closes every pooled connection. */
    @Override
    void close();

    /**
     * Connection pool numbers at one moment.
     *
     * @param leased    connections lent out to exchanges
     * @param available idle connections kept for reuse
     * @param pending   exchanges waiting for a connection
     * @param max       the pool's total limit
     */
    record PoolStats(int leased, int available, int pending, int max) {
    }
}
