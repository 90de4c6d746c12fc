package org.xnio.nio;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.XnioWorker;

/**
 * Turns a socket accepted outside XNIO into an XNIO connection served by a chosen I/O thread: what
 * {@code NioTcpServer.accept} does after {@code channel.accept()}, minus its random choice of thread.
 * XNIO has no public API for this (the thread is picked inside {@code accept}); this class lives in
 * XNIO's package because {@code WorkerThread.registerChannel} and the
 * {@code NioSocketStreamConnection} constructor are package-private. Cachalot's own accept loop
 * ({@code dev.cachalot.server.PlacingAcceptor}) is its only user.
 */
public final class AdoptedConnections {
    private AdoptedConnections() {
    }

    /**
     * Registers {@code channel} (non-blocking, connected) with I/O thread {@code thread} of
     * {@code worker} and wraps it as a stream connection of that thread.
     *
     * @param worker       an NIO worker ({@code Xnio.getInstance()} on this class path)
     * @param thread       the I/O thread index, 0 to {@code worker.getIoThreadCount() - 1}
     * @param readTimeout  {@link Options#READ_TIMEOUT} in ms (0: none)
     * @param writeTimeout {@link Options#WRITE_TIMEOUT} in ms (0: none)
     * @param onClosed     run once when the connection's socket is closed, or null
     * @throws IOException when the thread's selector no longer takes channels (worker stopping);
     *                     the caller still owns {@code channel} then
     */
    public static StreamConnection adopt(XnioWorker worker, int thread, SocketChannel channel, int readTimeout,
                                         int writeTimeout, Runnable onClosed) throws IOException {
        NioXnioWorker nio = (NioXnioWorker) worker;
        if (thread < 0 || thread >= nio.getIoThreadCount()) {
            throw new IllegalArgumentException("no I/O thread " + thread + " in a worker of "
                    + nio.getIoThreadCount());
        }
        WorkerThread t = nio.getIoThread(thread);
        SelectionKey key = t.registerChannel(channel);
        NioSocketStreamConnection connection = new NioSocketStreamConnection(t, key,
                onClosed == null ? null : onClosed::run);
        connection.setOption(Options.READ_TIMEOUT, readTimeout);
        connection.setOption(Options.WRITE_TIMEOUT, writeTimeout);
        return connection;
    }
}
