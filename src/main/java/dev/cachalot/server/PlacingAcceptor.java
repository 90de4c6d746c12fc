package dev.cachalot.server;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.XnioWorker;
import org.xnio.nio.AdoptedConnections;

/**
 * Cachalot's own accept loop for the plain HTTP listener ({@code server.connectionPlacement:
 * incoming-cpu}): a blocking {@code accept()} on one daemon thread; each accepted socket gets
 * TCP_NODELAY, its incoming CPU is read, {@link PlacementPolicy} picks the I/O thread from it and the
 * open connections per thread, and the socket becomes an XNIO connection of that thread
 * ({@link AdoptedConnections}); the open listener then runs on that thread, as on XNIO's own path.
 * XNIO's path ({@code createStreamConnectionServer}) hands each connection to a random I/O thread.
 */
final class PlacingAcceptor implements Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(PlacingAcceptor.class);

    private final XnioWorker worker;
    private final IncomingCpu cpus;
    private final ChannelListener<StreamConnection> open;
    private final int readTimeoutMillis;
    private final int writeTimeoutMillis;
    private final AtomicIntegerArray openPerThread;
    private final ServerSocketChannel server;
    private final Thread thread;
    private volatile boolean closed;

    /**
     * Binds {@code address} (SO_REUSEADDR, the given backlog) and starts accepting.
     *
     * @param open called on the chosen I/O thread for every accepted connection
     */
    PlacingAcceptor(XnioWorker worker, InetSocketAddress address, int backlog, int readTimeoutMillis,
                    int writeTimeoutMillis, IncomingCpu cpus, ChannelListener<StreamConnection> open)
            throws IOException {
        this.worker = worker;
        this.cpus = cpus;
        this.open = open;
        this.readTimeoutMillis = readTimeoutMillis;
        this.writeTimeoutMillis = writeTimeoutMillis;
        this.openPerThread = new AtomicIntegerArray(worker.getIoThreadCount());
        this.server = ServerSocketChannel.open();
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(address, backlog);
        } catch (IOException | RuntimeException e) {
            IoUtils.safeClose(server);
            throw e;
        }
        this.thread = new Thread(this::acceptLoop, worker.getName() + " accept " + localAddress().getPort());
        thread.setDaemon(true);
        thread.start();
    }

    /** The bound address (the real port when bound to port 0). */
    InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) server.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException("listener closed", e);
        }
    }

    /** Connections open on I/O thread {@code index} (accepted here, not yet closed). */
    int openOn(int index) {
        return openPerThread.get(index);
    }

    /** The number of I/O threads connections are spread over. */
    int threads() {
        return openPerThread.length();
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (ClosedChannelException e) {
                return; // close(): AsynchronousCloseException is one
            } catch (IOException e) {
                if (closed || !server.isOpen()) {
                    return;
                }
                // Out of file descriptors and the like: XNIO's path backs off too.
                LOG.warn("accept failed on {}: {}", localAddress(), e.toString());
                pause();
                continue;
            }
            place(channel);
        }
    }

    private void place(SocketChannel channel) {
        int index;
        StreamConnection connection;
        try {
            channel.configureBlocking(false);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            int cpu = cpus.of(channel);
            int[] counts = new int[openPerThread.length()];
            for (int i = 0; i < counts.length; i++) {
                counts[i] = openPerThread.get(i);
            }
            index = PlacementPolicy.choose(cpu, counts);
            openPerThread.incrementAndGet(index);
            if (LOG.isDebugEnabled()) {
                LOG.debug("accepted {} incoming cpu {} -> I/O thread {} (open before: {})",
                        channel.getRemoteAddress(), cpu, index, Arrays.toString(counts));
            }
            int chosen = index;
            try {
                connection = AdoptedConnections.adopt(worker, index, channel, readTimeoutMillis, writeTimeoutMillis,
                        () -> openPerThread.decrementAndGet(chosen));
            } catch (IOException | RuntimeException e) {
                openPerThread.decrementAndGet(index);
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            IoUtils.safeClose(channel);
            if (!closed) {
                LOG.debug("dropped an accepted connection: {}", e.toString());
            }
            return;
        }
        try {
            connection.getIoThread().execute(() -> open.handleEvent(connection));
        } catch (RejectedExecutionException e) {
            IoUtils.safeClose(connection); // the worker is stopping
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops accepting and frees the port; open connections are left to their owner. */
    @Override
    public void close() {
        closed = true;
        IoUtils.safeClose(server);
        if (Thread.currentThread() != thread) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
