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
 *
 * <p>On a plain reverse listener with the hit shortcut on ({@link ShortcutConnection}), complete
 * requests read while Undertow owns nothing on the connection are offered to the shortcut one at a
 * time; the bytes of an answered request are taken out of Undertow's buffer, so Undertow never sees
 * that request. The first request it declines, and everything after it in the same read, goes to
 * Undertow as before.
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
    /** The hit shortcut's state on this connection, or null (shortcut off, forward or TLS listener). */
    private ShortcutConnection shortcut;

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

    /** Turns the hit shortcut on for this connection (plain reverse listener only: no rewriter). */
    void shortcut(ShortcutConnection s) {
        if (rewriter != null) {
            throw new IllegalStateException("no hit shortcut on a forward listener");
        }
        this.shortcut = s;
    }

    /** The conduit below this one (the socket side). */
    StreamSourceConduit below() {
        return next;
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
        if (shortcut != null) {
            return readWithShortcut(dst);
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
     * The read with the hit shortcut on. Bytes come from what was held behind a pending answer, else
     * from the socket. While the connection is idle, each complete request is offered to the
     * shortcut; the bytes of answered ones are dropped from {@code dst}; the first one declined (or a
     * partial one) and everything after it are scanned and handed to Undertow, moved to where the
     * read started. While an answer is being written nothing is read at all, and what follows an
     * answer that could not be written at once is held unscanned for the next read.
     */
    private int readWithShortcut(ByteBuffer dst) throws IOException {
        ShortcutConnection sc = shortcut;
        if (sc.writing()) {
            return 0;
        }
        int p0 = dst.position();
        int n = sc.takeHeld(dst);
        if (n == 0) {
            n = next.read(dst);
            if (n <= 0) {
                return n;
            }
        }
        int p1 = dst.position();
        int u = p0; // bytes from u on are Undertow's
        long uOffset = guard.scanner.offset();
        if (!sc.idle()) {
            return guard.scanner.scan(dst, p0, p1) ? n : afterViolation(dst, p0, u, uOffset, p1);
        }
        while (u < p1) {
            // A repeat of the connection's last plain request (same bytes) was validated when first seen.
            ShortcutRequest known = sc.cache.known(dst, u, p1);
            int end;
            if (known != null) {
                end = u + sc.cache.length();
                guard.scanner.skipValidatedHead(end - u);
            } else {
                end = guard.scanner.scanMessage(dst, u, p1);
                if (end < 0) {
                    return afterViolation(dst, p0, u, uOffset, p1);
                }
                if (!guard.scanner.betweenMessages()) {
                    break; // a message that continues in a later read: Undertow's (scanned up to p1)
                }
            }
            if (!sc.answer(dst, u, end, known)) {
                // Declined: this request and everything after it are Undertow's.
                if (end < p1 && !guard.scanner.scan(dst, end, p1)) {
                    return afterViolation(dst, p0, u, uOffset, p1);
                }
                break;
            }
            if (!connection.isOpen()) {
                return -1; // the answer's write failed and closed the connection
            }
            u = end;
            uOffset = guard.scanner.offset();
            if (sc.writing()) {
                if (u < p1) {
                    sc.hold(dst, u, p1);
                    p1 = u;
                }
                break;
            }
        }
        int len = p1 - u;
        move(dst, u, p0, len);
        dst.position(p0 + len);
        return len;
    }

    /**
     * After a violation found while scanning from {@code u} (stream offset {@code uOffset}): Undertow
     * gets what precedes the offending message, moved to {@code p0}; end of stream when nothing.
     */
    private int afterViolation(ByteBuffer dst, int p0, int u, long uOffset, int p1) throws IOException {
        violated();
        long keep = guard.scanner.messageStart() - uOffset;
        int cutAt = (int) Math.max(u, Math.min(p1, u + keep));
        int len = cutAt - u;
        move(dst, u, p0, len);
        dst.position(p0 + len);
        return len > 0 ? len : endOfStream();
    }

    /** Moves {@code len} bytes from index {@code from} down to {@code to} (to <= from) in place. */
    private static void move(ByteBuffer b, int from, int to, int len) {
        if (from == to) {
            return;
        }
        for (int i = 0; i < len; i++) {
            b.put(to + i, b.get(from + i));
        }
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

    /** Bytes are waiting here that the socket will not announce again (rewriter input, held input). */
    private boolean buffered() {
        if (shortcut != null) {
            return shortcut.hasHeld();
        }
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
        if (shortcut != null && shortcut.writing()) {
            // An answer of the shortcut is being written: reads stay paused until it is done.
            shortcut.readsWanted = true;
            return;
        }
        if (cut || buffered()) {
            // Nothing more will arrive from the socket that matters (or it already arrived and waits
            // here): make Undertow read now.
            next.wakeupReads();
        } else {
            next.resumeReads();
        }
    }

    @Override
    public void suspendReads() {
        if (shortcut != null) {
            shortcut.readsWanted = false;
        }
        next.suspendReads();
    }

    @Override
    public void wakeupReads() {
        if (shortcut != null && shortcut.writing()) {
            shortcut.readsWanted = true;
            return;
        }
        next.wakeupReads();
    }

    @Override
    public boolean isReadResumed() {
        if (shortcut != null && shortcut.writing()) {
            return shortcut.readsWanted;
        }
        return next.isReadResumed();
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
