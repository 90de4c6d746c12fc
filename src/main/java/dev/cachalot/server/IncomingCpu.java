package dev.cachalot.server;

import java.nio.channels.SocketChannel;

/**
 * The CPU that received an accepted connection's packets ({@code SO_INCOMING_CPU} on Linux), the
 * input of {@link PlacementPolicy}. Never throws: a negative answer means unknown.
 */
@FunctionalInterface
interface IncomingCpu {
    /** A source that never knows (every connection goes to the least-loaded I/O thread). */
    IncomingCpu UNKNOWN = channel -> -1;

    /** The incoming CPU of {@code channel}, or -1 when unknown. */
    int of(SocketChannel channel);
}
