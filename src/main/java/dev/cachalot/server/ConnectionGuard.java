package dev.cachalot.server;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per-connection state shared by the framing conduit (I/O thread) and the front handler: the
 * scanner's verdict and how many exchanges are in progress, so the conduit knows when it may write
 * its own 400 without interleaving with a response.
 */
final class ConnectionGuard {
    final FramingScanner scanner;
    final AtomicInteger activeExchanges = new AtomicInteger();
    /** Set once a final error answer was written on this connection (nothing more may follow). */
    volatile boolean answered;
    /** The rule broken, visible to the handler thread. */
    volatile FramingViolation violation;
    /** Request heads that were valid before the violation: only those may reach a handler. */
    volatile long validHeadsBeforeViolation = Long.MAX_VALUE;
    /** Requests the handler has seen on this connection (I/O thread only). */
    long requestsSeen;
    /** The peer's address as text, computed on the connection's first request (I/O thread only). */
    String peer;
    /** The hit shortcut's request-id block of the connection's I/O thread (HitShortcut), or null. */
    RequestIds.Block requestIds;

    ConnectionGuard(FramingScanner scanner) {
        this.scanner = scanner;
    }
}
