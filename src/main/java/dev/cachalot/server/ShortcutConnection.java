package dev.cachalot.server;

import dev.cachalot.store.BodyFile;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListener;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.StreamSourceConduit;

/**
 * The hit shortcut's state on one plain HTTP/1.1 connection, driven by the connection's
 * {@link StrictFramingConduit} on the I/O thread: when a request may be tried ({@link #idle}), the
 * answer's write (head and body from the thread's {@link AnswerBuffer}, or head there and a large
 * body after it; when the socket buffer is full, the rest is kept and written when the socket is
 * writable, with reads paused meanwhile), input that arrived behind
 * such a pending answer ({@link #hold}), and the idle timer.
 *
 * <p>Ordering on the connection: the shortcut only answers while Undertow owns nothing on it (see
 * {@link #idle}), and from the moment an answer is pending until its last byte is written, no input
 * is given to Undertow, so a later response of Undertow can never overtake or interleave with it;
 * pipelined requests are answered in order.
 */
final class ShortcutConnection implements ChannelListener<ConduitStreamSinkChannel> {
    private static final Logger LOG = LoggerFactory.getLogger(ShortcutConnection.class);

    private final HitShortcut shortcut;
    private final StreamConnection connection;
    private final ConnectionGuard guard;
    /** The conduit below the framing conduit (the socket side). */
    private final StreamSourceConduit source;
    final RequestCache cache = new RequestCache();
    private UndertowIdleTimer.Found idleTimer;
    /** Requests answered here (the scanner's valid heads = these + what FrontHandler saw). */
    private long answered;
    /** The connection's one sink: holds the answer being written while {@link #pending}. */
    private final ShortcutSink sink;
    /** An answer is being written. */
    private boolean pending;
    private final ByteBuffer[] out = new ByteBuffer[2];
    /**
     * The body being sent from the store's file after {@code out[0]} (the head), or null: the next
     * byte to send is at {@link #filePosition}, {@link #fileRemaining} bytes are left.
     */
    private FileChannel file;
    private long filePosition;
    private long fileRemaining;
    /** Input read behind a pending answer, not yet scanned (read mode), or null. */
    private ByteBuffer held;
    /** Undertow asked for reads while an answer was pending: resume them when it is written. */
    boolean readsWanted;
    /** The pending answer waited for the socket and is counted in the listener's answers being written. */
    private final AtomicBoolean deferred = new AtomicBoolean();

    ShortcutConnection(HitShortcut shortcut, StreamConnection connection, ConnectionGuard guard,
                       StreamSourceConduit source) {
        this.shortcut = shortcut;
        this.connection = connection;
        this.guard = guard;
        this.source = source;
        this.sink = new ShortcutSink(shortcut.retryAfterSeconds());
        // A connection closed while an answer is pending (idle timeout, shutdown) never calls the write
        // handler again: release the answer's stored bodies then. XNIO merges close listeners (this one
        // is added to Undertow's, not put in its place); set once per connection, never per answer.
        ShortcutSink s = this.sink;
        connection.setCloseListener(c -> {
            s.releaseHeld();
            endDeferred();
        });
    }

    /** Ends the count of a deferred answer once (written, failed, or its connection closed). */
    private void endDeferred() {
        if (deferred.compareAndSet(true, false)) {
            shortcut.deferredWriteEnded();
        }
    }

    /**
     * True when a request at the current read position may be tried: no framing violation, the
     * scanner between messages (Undertow holds no part of a message), every valid head handed to
     * Undertow has reached FrontHandler (so none waits in Undertow's buffer) and every exchange has
     * completed (Undertow signals completion only after the response was flushed), the listener is
     * not draining, and Undertow's idle timer can be kept up to date.
     */
    boolean idle() {
        return !pending && guard.violation == null && !guard.answered && guard.scanner.betweenMessages()
                && guard.activeExchanges.get() == 0
                && guard.requestsSeen + answered == guard.scanner.validHeads()
                && shortcut.open() && timerUsable();
    }

    private boolean timerUsable() {
        if (idleTimer == null) {
            idleTimer = UndertowIdleTimer.of(connection);
        }
        return idleTimer.lookup() != UndertowIdleTimer.Lookup.UNAVAILABLE;
    }

    /** True while an answer is being written (Undertow gets no input meanwhile). */
    boolean writing() {
        return pending;
    }

    /**
     * Tries the shortcut on the complete request head {@code buf[from, to)} ({@code known}: the
     * cache's parse of it, or null); when answered, its bytes are consumed (the caller drops them)
     * and the answer is written or pending.
     */
    boolean answer(ByteBuffer buf, int from, int to, ShortcutRequest known) {
        if (!shortcut.tryAnswer(buf, from, to, guard, connection, cache, known, this.sink)) {
            return false;
        }
        answered++;
        // Head and a small body in the thread's direct buffer: one write of one buffer, no copy by the JDK.
        ShortcutSink s = this.sink;
        ByteBuffer body = s.body;
        boolean copyBody = body != null && body.remaining() <= AnswerBuffer.BODY_COPY_MAX;
        // A larger body that lies in the store's file is never read through our mapping, so its pages
        // stay out of this process's RSS: up to FILE_READ_MAX it is read from the file into the
        // thread's buffer after the head (one write, as for a small body); above, it is sent from the
        // page cache with sendfile after the head.
        BodyFile f = copyBody ? null : s.file;
        ByteBuffer direct;
        try {
            direct = f != null && f.length() <= AnswerBuffer.FILE_READ_MAX
                    ? AnswerBuffer.ofFile(s.head, s.headLength, f)
                    : AnswerBuffer.of(s.head, s.headLength, copyBody ? body : null);
        } catch (IOException e) {
            pending = true;
            failed(e);
            return true;
        }
        if (direct != null && f != null && f.length() <= AnswerBuffer.FILE_READ_MAX) {
            f = null; // read into the buffer
            out[0] = direct;
            out[1] = null;
        } else if (direct != null) {
            out[0] = direct;
            out[1] = copyBody || f != null ? null : body;
        } else {
            out[0] = s.headBuffer();
            out[1] = f != null ? null : body;
        }
        if (f != null) {
            file = f.channel();
            filePosition = f.position();
            fileRemaining = f.length();
        }
        pending = true;
        ConduitStreamSinkChannel sink = connection.getSinkChannel();
        try {
            if (writeSome(sink)) {
                done();
                return true;
            }
        } catch (IOException e) {
            failed(e);
            return true;
        }
        if (direct != null) {
            // The thread's buffer serves the next answer on this thread: keep what is left in our own.
            out[0] = AnswerBuffer.keepRest(direct);
        }
        // The socket buffer is full: no more input until the rest is written (reads paused).
        deferred.set(true);
        shortcut.deferredWrite();

        source.suspendReads();
        readsWanted = true;
        // Undertow's last exchange channel may still own the write-ready handler: take it back.
        sink.setConduit(sink.getConduit());
        sink.getWriteSetter().set(this);
        sink.resumeWrites();
        return true;
    }

    /** Writes until done (true) or the socket takes no more (false). */
    private boolean writeSome(ConduitStreamSinkChannel sink) throws IOException {
        int n = out[1] == null ? 1 : 2;
        while (out[0].hasRemaining() || (n == 2 && out[1].hasRemaining())) {
            long w = n == 1 ? sink.write(out[0]) : sink.write(out, 0, 2);
            if (w == 0 && (out[0].hasRemaining() || (n == 2 && out[1].hasRemaining()))) {
                return false;
            }
        }
        while (fileRemaining > 0) {
            long w = sink.transferFrom(file, filePosition, fileRemaining);
            if (w <= 0) {
                if (filePosition + fileRemaining > file.size()) {
                    // transferTo sends nothing past the end of the file: never wait for that (the store's
                    // regions lie inside the file, so this is damage, not a full socket).
                    throw new EOFException("the store's file ends inside a body");
                }
                return false; // the socket is full
            }
            filePosition += w;
            fileRemaining -= w;
        }
        return true;
    }

    /** The socket became writable while an answer was pending. */
    @Override
    public void handleEvent(ConduitStreamSinkChannel sink) {
        if (!pending) {
            sink.suspendWrites();
            return;
        }
        try {
            if (!writeSome(sink)) {
                return;
            }
        } catch (IOException e) {
            sink.suspendWrites();
            sink.getWriteSetter().set(null);
            failed(e);
            return;
        }
        sink.suspendWrites();
        sink.getWriteSetter().set(null);
        done();
        if (readsWanted) {
            readsWanted = false;
            if (held != null) {
                source.wakeupReads(); // input is waiting here: make Undertow read now
            } else {
                source.resumeReads();
            }
        }
    }

    private void done() {
        sink.releaseHeld();
        endDeferred();
        pending = false;
        out[0] = null;
        out[1] = null;
        file = null;
        if (idleTimer != null && idleTimer.timer() != null) {
            idleTimer.timer().connectionIdle(); // idle from now on, as after an Undertow exchange
        }
        shortcut.completed(sink);
    }

    private void failed(IOException e) {
        LOG.debug("hit shortcut write failed: {}", e.toString());
        sink.releaseHeld();
        endDeferred();
        pending = false;
        out[0] = null;
        out[1] = null;
        file = null;
        fileRemaining = 0;
        held = null;
        shortcut.completed(sink);
        IoUtils.safeClose(connection);
    }

    /** Keeps {@code buf[from, to)} (unscanned input behind a pending answer) for later reads. */
    void hold(ByteBuffer buf, int from, int to) {
        ByteBuffer h = ByteBuffer.allocate(to - from + (held == null ? 0 : held.remaining()));
        if (held != null) {
            h.put(held);
        }
        h.put(buf.duplicate().limit(to).position(from));
        held = h.flip();
    }

    /** True when held input waits here (the socket will not announce it again). */
    boolean hasHeld() {
        return held != null;
    }

    /** Moves held input into {@code dst}; returns the number of bytes moved (0 when none). */
    int takeHeld(ByteBuffer dst) {
        if (held == null) {
            return 0;
        }
        int n = Math.min(held.remaining(), dst.remaining());
        dst.put(held.duplicate().limit(held.position() + n));
        held.position(held.position() + n);
        if (!held.hasRemaining()) {
            held = null;
        }
        return n;
    }
}
