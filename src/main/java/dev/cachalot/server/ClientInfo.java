package dev.cachalot.server;

import java.time.Instant;

/**
 * Facts about the client side of one exchange, fixed when the request arrived.
 *
 * @param requestId   id given to the request on arrival (access log, error bodies)
 * @param peerAddress address of the TCP peer (may be a trusted proxy)
 * @param clientAddress the true client address after skipping trusted proxy hops
 * @param secure      true when the request came over TLS
 * @param protocol    "HTTP/1.1", "HTTP/1.0" or "HTTP/2.0"
 * @param start       arrival time (wall clock, for logs)
 * @param startNanos  arrival time on the monotonic clock (for durations)
 */
public record ClientInfo(String requestId, String peerAddress, String clientAddress, boolean secure,
                         String protocol, Instant start, long startNanos) {
}
