package dev.cachalot.server;

import dev.cachalot.metrics.ProxyMetrics;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.ssl.SslConnection;

/**
 * Counts open client connections across all listeners. A connection over the limit is answered
 * 503 with Retry-After (plain HTTP; a TLS one is just closed) instead of waiting in a queue.
 */
final class ConnectionLimiter implements ChannelListener<StreamConnection> {
    private final ChannelListener<StreamConnection> next;
    private final int maxConnections;
    private final long retryAfterSeconds;
    private final AtomicInteger open;
    private final ProxyMetrics metrics;

    ConnectionLimiter(ChannelListener<StreamConnection> next, int maxConnections, long retryAfterSeconds,
                      AtomicInteger open, ProxyMetrics metrics) {
        this.next = next;
        this.maxConnections = maxConnections;
        this.retryAfterSeconds = retryAfterSeconds;
        this.open = open;
        this.metrics = metrics;
    }

    @Override
    public void handleEvent(StreamConnection channel) {
        metrics.connectionOpened();
        int now = open.incrementAndGet();
        channel.setCloseListener(c -> {
            open.decrementAndGet();
            metrics.connectionClosed();
        });
        if (now > maxConnections) {
            metrics.rejected("overload");
            refuse(channel);
            return;
        }
        next.handleEvent(channel);
    }

    /** RFC 9110 §15.6.4: 503 with Retry-After, then close. */
    private void refuse(StreamConnection channel) {
        if (!(channel instanceof SslConnection)) {
            byte[] body = "too many connections\n".getBytes(StandardCharsets.US_ASCII);
            String head = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: " + retryAfterSeconds
                    + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n";
            ByteBuffer out = ByteBuffer.allocate(head.length() + body.length);
            out.put(head.getBytes(StandardCharsets.US_ASCII)).put(body).flip();
            try {
                channel.getSinkChannel().write(out);
                channel.getSinkChannel().shutdownWrites();
                channel.getSinkChannel().flush();
            } catch (IOException e) {
                // client gone
            }
        }
        IoUtils.safeClose(channel);
    }
}
