package dev.cachalot.server;

import dev.cachalot.metrics.ProxyMetrics;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
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
 *
 * <p>On a forward listener it also replaces the Host field of absolute-form requests by the
 * target's authority ({@link HostRewriter}, RFC 9112 §3.2.2). Then bytes are read from the socket
 * into a small buffer of this conduit and copied through the rewriter into Undertow's buffer; what
 * does not fit stays here (unread input, at most one pending authority) until the next read, and
 * {@link #resumeReads()} / {@link #awaitReadable()} treat it as readable data. The reverse listener
 * has no rewriter and reads straight into Undertow's buffer as before.
 */
final class StrictFramingConduit extends AbstractStreamSourceConduit<StreamSourceConduit> {
    /** Size of the rewriting conduit's own read buffer. */
    private static final int RAW_BYTES = 8192;

    private final StreamConnection connection;
    private final ConnectionGuard guard;
    private final ProxyMetrics metrics;
    /** Bytes before the violation that Undertow may still have; after them only end of stream. */
    private boolean cut;
    /** Host replacement for a forward listener, or null (reverse listener: bytes are not changed). */
    private final HostRewriter rewriter;
    /** With a rewriter: bytes read from the socket, not yet passed through it (read mode: position to limit). */
    private ByteBuffer raw;

    StrictFramingConduit(StreamSourceConduit next, StreamConnection connection, ConnectionGuard guard,
                         ProxyMetrics metrics) {
        this(next, connection, guard, metrics, false);
    }

    /**
     * @param rewriteHost replace the Host field of absolute-form requests by the target's authority
     *                    (a forward listener, RFC 9112 §3.2.2)
     */
    StrictFramingConduit(StreamSourceConduit next, StreamConnection connection, ConnectionGuard guard,
                         ProxyMetrics metrics, boolean rewriteHost) {
        super(next);
        this.connection = connection;
        this.guard = guard;
        this.metrics = metrics;
        this.rewriter = rewriteHost ? new HostRewriter(guard.scanner) : null;
        if (rewriteHost) {
            raw = ByteBuffer.allocate(RAW_BYTES);
            raw.flip();
        }
    }

    /** Scans bytes that were read before this conduit saw them (e.g. during the TLS/ALPN handshake). */
    void scanPreRead(ByteBuffer buf) {
        if (rewriter != null) {
            // They go through the rewriter like any other input: taken out of Undertow's buffer here,
            // handed back by the first read (resumeReads sees them as readable data).
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(RAW_BYTES, buf.remaining()));
            bigger.put(buf).flip();
            raw = bigger;
            return;
        }
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
        if (rewriter != null) {
            return readRewriting(dst);
        }
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

    /**
     * The forward listener's read: socket bytes go into {@link #raw}, then through the rewriter (which
     * also drives the scanner) into {@code dst}. Returns as soon as something was produced.
     */
    private int readRewriting(ByteBuffer dst) throws IOException {
        if (cut) {
            return endOfStream();
        }
        int p0 = dst.position();
        while (dst.hasRemaining()) {
            if (!raw.hasRemaining() && !rewriter.pendingInsert()) {
                if (dst.position() > p0) {
                    break;
                }
                raw.clear();
                int n;
                try {
                    n = next.read(raw);
                } finally {
                    raw.flip();
                }
                if (n <= 0) {
                    return n;
                }
            }
            if (!rewriter.transform(raw, dst)) {
                violated();
                raw.position(raw.limit()); // everything from the offending byte on is discarded
                // Withhold the offending message's bytes that Undertow has not been given yet.
                long withhold = rewriter.outputOfCurrentMessage();
                int cutAt = (int) Math.max(p0, dst.position() - withhold);
                dst.position(cutAt);
                return cutAt > p0 ? cutAt - p0 : endOfStream();
            }
        }
        return dst.position() - p0;
    }

    /** With a rewriter: bytes are waiting here that the socket will not announce again. */
    private boolean buffered() {
        return rewriter != null && (raw.hasRemaining() || rewriter.pendingInsert());
    }

    @Override
    public void awaitReadable() throws IOException {
        if (!buffered()) {
            next.awaitReadable();
        }
    }

    @Override
    public void awaitReadable(long time, TimeUnit timeUnit) throws IOException {
        if (!buffered()) {
            next.awaitReadable(time, timeUnit);
        }
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
        if (cut || buffered()) {
            // Nothing more will arrive from the socket that matters (or it already arrived and waits
            // here): make Undertow read now.
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
