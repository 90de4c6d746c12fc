package dev.cachalot.forward;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * Opens the TCP connection of a CONNECT tunnel to an already checked address. A seam so tests can
 * count connection attempts (a refused destination must cause none).
 */
@FunctionalInterface
public interface SocketConnector {
    /**
     * Connects to {@code address}, which must be resolved (an address the guard checked; never a name
     * to look up again).
     */
    Socket connect(InetSocketAddress address, int timeoutMillis) throws IOException;

    /** Plain TCP with TCP_NODELAY. */
    static SocketConnector plain() {
        return (address, timeoutMillis) -> {
            if (address.isUnresolved()) {
                throw new IllegalArgumentException("refusing to connect to an unresolved address: " + address);
            }
            Socket s = new Socket();
            try {
                s.setTcpNoDelay(true);
                s.connect(address, timeoutMillis);
                return s;
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
        };
    }
}
