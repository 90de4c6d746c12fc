package dev.cachalot.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.channels.Channels;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;

/**
 * The byte pump of one CONNECT tunnel: two blocking copy loops (client to destination and back),
 * each with one fixed buffer, sharing an idle clock. A half close is passed on (EOF from one side
 * shuts down writes to the other); when both directions are done, or the tunnel has been idle for
 * the timeout, both connections are closed.
 */
final class TunnelRelay {
    private static final Logger LOG = LoggerFactory.getLogger("cachalot.forward");
    /** How often a blocked read wakes up to check the idle clock. */
    private static final long TICK_MILLIS = 1000;

    private final StreamConnection client;
    private final Socket origin;
    private final long idleNanos;
    private final int bufferBytes;
    private final Runnable onClose;
    private final AtomicLong lastActivity = new AtomicLong(System.nanoTime());
    private final AtomicInteger running = new AtomicInteger(2);
    final AtomicLong fromClient = new AtomicLong();
    final AtomicLong toClient = new AtomicLong();

    TunnelRelay(StreamConnection client, Socket origin, long idleNanos, int bufferBytes, Runnable onClose) {
        this.client = client;
        this.origin = origin;
        this.idleNanos = idleNanos;
        this.bufferBytes = bufferBytes;
        this.onClose = onClose;
    }

    void start(ExecutorService pool) {
        try {
            // The listener's read timeout is for requests; in a tunnel the client may rightly stay
            // silent for as long as the destination talks (a long TLS download). The relay's own
            // idle clock governs instead; a client that stops reading is dropped after the idle time.
            client.setOption(Options.READ_TIMEOUT, 0);
            client.setOption(Options.WRITE_TIMEOUT, (int) Math.min(Integer.MAX_VALUE, idleNanos / 1_000_000));
            origin.setSoTimeout((int) Math.min(TICK_MILLIS, Math.max(1, idleNanos / 1_000_000)));
            pool.execute(this::clientToOrigin);
            pool.execute(this::originToClient);
        } catch (IOException | RuntimeException e) {
            LOG.debug("tunnel start failed", e);
            closeBoth();
            if (running.getAndSet(0) > 0) {
                onClose.run();
            }
        }
    }

    private void clientToOrigin() {
        ConduitStreamSourceChannel in = client.getSourceChannel();
        ByteBuffer buf = ByteBuffer.allocate(bufferBytes);
        try (OutputStream out = origin.getOutputStream()) {
            while (true) {
                buf.clear();
                int n = Channels.readBlocking(in, buf, Math.min(TICK_MILLIS, idleNanos / 1_000_000 + 1),
                        TimeUnit.MILLISECONDS);
                if (n < 0) {
                    origin.shutdownOutput();
                    break;
                }
                if (n == 0) {
                    if (idle()) {
                        closeBoth();
                        break;
                    }
                    continue;
                }
                touch();
                out.write(buf.array(), 0, n);
                out.flush();
                fromClient.addAndGet(n);
            }
        } catch (IOException e) {
            LOG.debug("tunnel client->origin ended: {}", e.toString());
            closeBoth();
        } finally {
            done();
        }
    }

    private void originToClient() {
        ConduitStreamSinkChannel out = client.getSinkChannel();
        byte[] arr = new byte[bufferBytes];
        try {
            InputStream in = origin.getInputStream();
            while (true) {
                int n;
                try {
                    n = in.read(arr);
                } catch (SocketTimeoutException e) {
                    if (idle()) {
                        closeBoth();
                        break;
                    }
                    continue;
                }
                if (n < 0) {
                    out.shutdownWrites();
                    Channels.flushBlocking(out);
                    break;
                }
                touch();
                ByteBuffer b = ByteBuffer.wrap(arr, 0, n);
                while (b.hasRemaining()) {
                    Channels.writeBlocking(out, b);
                }
                Channels.flushBlocking(out);
                toClient.addAndGet(n);
            }
        } catch (IOException e) {
            LOG.debug("tunnel origin->client ended: {}", e.toString());
            closeBoth();
        } finally {
            done();
        }
    }

    private void touch() {
        lastActivity.set(System.nanoTime());
    }

    private boolean idle() {
        return System.nanoTime() - lastActivity.get() >= idleNanos;
    }

    private void done() {
        if (running.decrementAndGet() == 0) {
            closeBoth();
            onClose.run();
        }
    }

    private void closeBoth() {
        IoUtils.safeClose(client);
        IoUtils.safeClose(origin);
    }
}
