package dev.cachalot.metrics;

import java.time.Instant;

/**
 * What happened in one client exchange, recorded once when the response completes. The access log
 * and the request metrics are both fed from this one value so they always agree.
 *
 * @param start          when the request arrived
 * @param requestId      the id given to the request on arrival
 * @param client         the true client address (after trusted proxy hops)
 * @param method         request method
 * @param target         request target as received (path and query, or absolute form)
 * @param host           the Host / authority the request named
 * @param protocol       e.g. HTTP/1.1, HTTP/2.0
 * @param status         status code sent to the client (0 when the connection broke before a response)
 * @param bytesIn        request body bytes read from the client
 * @param bytesOut       response body bytes written to the client
 * @param durationNanos  time from arrival to the end of the response
 * @param originNanos    time spent waiting on the origin, -1 when the origin was not contacted
 * @param outcome        the cache outcome word (e.g. HIT, MISS, PASS; see the outcome vocabulary)
 * @param route          the name of the route / origin that served it, "" when none
 */
public record ExchangeRecord(Instant start, String requestId, String client, String method, String target,
                             String host, String protocol, int status, long bytesIn, long bytesOut,
                             long durationNanos, long originNanos, String outcome, String route) {
}
