package dev.cachalot.server;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;

/**
 * The seam a forward-proxy listener uses for CONNECT (RFC 9110 §9.3.6): decides whether a tunnel
 * may be opened and opens the connection to the destination. The front end then answers 200 and
 * relays bytes both ways until either side closes or the tunnel is idle for {@link #idleTimeout()}.
 */
public interface TunnelOpener {
    /**
     * Opens the destination connection for a CONNECT request (worker thread; may block). The
     * request's {@code head().authority()} is the validated {@code host:port} target.
     *
     * @return the connected socket, or null after answering the client through {@code sink}
     *         (403, 407, 502 ...); the connection is closed after such an answer
     */
    Socket open(ClientRequest request, ResponseSink sink) throws IOException;

    /** Called once when a tunnel opened by {@link #open} has ended (both sockets closed). */
    default void closed(ClientRequest request, long bytesFromClient, long bytesToClient) {
    }

    /** A tunnel with no bytes in either direction this long is closed. */
    Duration idleTimeout();

    /** Buffer size per direction. */
    int bufferBytes();
}
