package dev.cachalot.server;

import dev.cachalot.metrics.ProxyMetrics;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import org.xnio.StreamConnection;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.ConduitReadableByteChannel;
import org.xnio.conduits.Conduits;
import org.xnio.conduits.StreamSourceConduit;

/**
 * The read side of a client connection with the strict framing check in front of Undertow's parser.
 * Every byte read is first run through the connection's {@link FramingScanner}. At the first
 * violation the conduit hands Undertow only the bytes before the offending message (so no part of
 * it reaches a handler, let alone the origin), answers the client itself with a short error and
 * {@code Connection: close}, and then reports end of stream so Undertow closes the connection. If a
 * response to an earlier request is still being written, the error waits until it is done.
 */
final class StrictFramingConduit extends AbstractStreamSourceConduit<StreamSourceConduit> {
    private final StreamConnection connection;
    private final ConnectionGuard guard;
    private final ProxyMetrics metrics;
    /** Bytes before the violation that Undertow may still have; after them only end of stream. */
    private boolean cut;

    StrictFramingConduit(StreamSourceConduit next, StreamConnection connection, ConnectionGuard guard,
                         ProxyMetrics metrics) {
        super(next);
        this.connection = connection;
        this.guard = guard;
        this.metrics = metrics;
    }

    /** Scans bytes that were read before this conduit saw them (e.g. during the TLS/ALPN handshake). */
    void scanPreRead(ByteBuffer buf) {
        int p0 = buf.position();
        int p1 = buf.limit();
        long startOffset = guard.scanner.offset();
        if (!guard.scanner.scan(buf, p0, p1)) {
            violated();
            long keep = guard.scanner.messageStart() - startOffset;
            buf.limit((int) Math.max(p0, Math.min(p1, p0 + keep)));
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (cut) {
            return endOfStream();
        }
        int p0 = dst.position();
        int n = next.read(dst);
        if (n <= 0) {
            return n;
        }
        int p1 = dst.position();
        long startOffset = guard.scanner.offset();
        if (guard.scanner.scan(dst, p0, p1)) {
            return n;
        }
        violated();
        // Hand over only what precedes the offending message (bytes already handed over stay handed over).
        long keep = guard.scanner.messageStart() - startOffset;
        int cutAt = (int) Math.max(p0, Math.min(p1, p0 + keep));
        dst.position(cutAt);
        if (cutAt > p0) {
            return cutAt - p0;
        }
        return endOfStream();
    }

    @Override
    public long read(ByteBuffer[] dsts, int offs, int len) throws IOException {
        for (int i = offs; i < offs + len; i++) {
            if (dsts[i].hasRemaining()) {
                return read(dsts[i]);
            }
        }
        return 0;
    }

    @Override
    public long transferTo(long position, long count, FileChannel target) throws IOException {
        return target.transferFrom(new ConduitReadableByteChannel(this), position, count);
    }

    @Override
    public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target) throws IOException {
        return Conduits.transfer(this, count, throughBuffer, target);
    }

    @Override
    public void resumeReads() {
        if (cut) {
            // Nothing more will arrive from the socket that matters: make Undertow read the end now.
            next.wakeupReads();
        } else {
            next.resumeReads();
        }
    }

    private void violated() {
        cut = true;
        guard.validHeadsBeforeViolation = guard.scanner.validHeads();
        guard.violation = guard.scanner.violation();
        metrics.rejected("framing");
    }

    /**
     * Ends the stream for Undertow. When no exchange is in progress the error answer is written now
     * (a small non-blocking write) and unread client bytes are drained so the close does not turn
     * into a reset that could destroy the answer in flight.
     */
    private int endOfStream() throws IOException {
        if (!guard.answered && guard.activeExchanges.get() == 0) {
            guard.answered = true;
            writeError(guard.violation);
            drain();
        }
        return -1;
    }

    private void writeError(FramingViolation v) {
        byte[] body = (v.message() + "\n").getBytes(StandardCharsets.US_ASCII);
        String head = "HTTP/1.1 " + v.status() + " " + dev.cachalot.http.StatusCodes.reason(v.status()) + "\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "Connection: close\r\n\r\n";
        ByteBuffer out = ByteBuffer.allocate(head.length() + body.length);
        out.put(head.getBytes(StandardCharsets.US_ASCII)).put(body).flip();
        try {
            StreamSinkChannel sink = connection.getSinkChannel();
            for (int tries = 0; out.hasRemaining() && tries < 16; tries++) {
                if (sink.write(out) == 0) {
                    Thread.onSpinWait();
                }
            }
            sink.flush();
            sink.shutdownWrites();
            sink.flush();
        } catch (IOException e) {
            // The client went away; nothing to answer.
        }
    }

    private void drain() {
        ByteBuffer scratch = ByteBuffer.allocate(8192);
        try {
            for (int i = 0; i < 64; i++) {
                scratch.clear();
                if (next.read(scratch) <= 0) {
                    return;
                }
            }
        } catch (IOException e) {
            // closed: nothing left to drain
        }
    }
}
