package dev.cachalot.server;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.ResponseHead;
import dev.cachalot.store.BodyFile;
import io.undertow.util.Headers;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ResponseSink} the hit shortcut hands to the processor's fast path: it writes nothing
 * itself, it records the answer as wire bytes ({@link WireHead}, the same bytes the Undertow path
 * would send for this answer, produced by the same operations as {@link UndertowResponseSink}) for
 * the shortcut to write. Anything the fast path may not do without blocking, or that needs
 * Undertow's connection handling ({@link #closeConnection}), marks the answer unusable: the
 * shortcut then sends nothing and the request takes the normal path.
 */
final class ShortcutSink implements ResponseSink {
    private static final Logger LOG = LoggerFactory.getLogger(ShortcutSink.class);
    /**
     * What the answer holds until its last byte is written or it is abandoned: the cache's leases
     * on disk bodies it sends without copying ({@link #releaseAfterResponse}); null when none.
     * Atomic because a connection closed elsewhere may release it from another thread.
     */
    private final AtomicReference<AutoCloseable> toRelease = new AtomicReference<>();
    private final long retryAfterSeconds;
    private boolean headRequest;
    /** The head's bytes are {@code head[0, headLength)}; null while nothing was sent. */
    byte[] head;
    int headLength;
    /**
     * The connection's reusable head buffer for hit heads ({@link WireHead.HitBytes#fill}): the
     * previous answer is written before the next request is tried, so one buffer per connection
     * serves them all; {@link #scratchView} wraps it.
     */
    private byte[] scratch;
    private ByteBuffer scratchView;
    private final int[] size = new int[1];
    /** What {@link #scratch} holds: the hit head of these inputs (a connection repeating a hot object in one second reuses it). */
    private WireHead.HitBytes filledFrom;
    private long filledAge;
    private long filledTtl;
    private long filledSecond;
    /** The body (null when none, or for HEAD: Undertow sends no body to a HEAD request). */
    ByteBuffer body;
    /** Where the same bytes as {@link #body} lie in the store's file (sendfile), or null. */
    BodyFile file;
    int status;
    long bytesOut;
    String outcome = "PASS";
    long originNanos = -1;
    /** Something the shortcut cannot reproduce was asked for: do not use this answer. */
    boolean unusable;
    /** What the shortcut records once the answer is written: the request, its client facts and route. */
    ShortcutRequest request;
    ClientInfo info;
    String route;

    /** One sink per connection, reused request after request ({@link #reset}); I/O thread only. */
    ShortcutSink(long retryAfterSeconds) {
        this.retryAfterSeconds = retryAfterSeconds;
    }

    @Override
    public void releaseAfterResponse(AutoCloseable resource) {
        if (toRelease.compareAndSet(null, resource)) {
            return; // the usual case: one resource per answer
        }
        toRelease.accumulateAndGet(resource, (held, added) -> held == null ? added : () -> {
            try {
                held.close();
            } finally {
                added.close();
            }
        });
    }

    /** Releases what the answer held (idempotent): called when it is written, failed, abandoned or not used. */
    void releaseHeld() {
        if (toRelease.get() == null) {
            return; // the usual case (memory hits hold nothing): a read, not an atomic exchange, per answer
        }
        AutoCloseable r = toRelease.getAndSet(null);
        if (r != null) {
            try {
                r.close();
            } catch (Exception e) {
                LOG.warn("releasing a shortcut answer's stored body failed", e);
            }
        }
    }

    /** Makes the sink ready for the next request. */
    void reset(boolean headRequest) {
        releaseHeld(); // a previous answer is done by now; never carry its leases into the next one
        this.headRequest = headRequest;
        head = null;
        headLength = 0;
        body = null;
        file = null;
        status = 0;
        bytesOut = 0;
        outcome = "PASS";
        originNanos = -1;
        unusable = false;
        request = null;
        info = null;
        route = null;
    }

    /** The head's bytes, ready to write (position 0, limit the head's length). */
    ByteBuffer headBuffer() {
        if (head == scratch) {
            if (scratchView == null || scratchView.array() != scratch) {
                scratchView = ByteBuffer.wrap(scratch);
            }
            return scratchView.limit(headLength).position(0);
        }
        return ByteBuffer.wrap(head, 0, headLength);
    }

    /** Records a head built for this answer alone. */
    private void head(byte[] bytes) {
        head = bytes;
        headLength = bytes.length;
    }

    /** True when exactly one answer was recorded and it can be written as it is. */
    boolean usable() {
        return head != null && !unusable;
    }

    private boolean first() {
        if (head != null) {
            unusable = true;
            return false;
        }
        return true;
    }

    @Override
    public void sendComplete(PreparedHead prepared, ByteBuffer b) {
        if (!first()) {
            return;
        }
        long length = b.remaining();
        // The template's bytes are built once per entry version; only Age, the Cache-Status ttl and
        // an added Date are written per request, into the connection's buffer.
        WireHead.HitBytes t = WireHead.template(prepared.template(), length);
        if (t != filledFrom || prepared.age() != filledAge || prepared.ttl() != filledTtl
                || prepared.second() != filledSecond) {
            scratch = t.fill(prepared, scratch, size);
            filledFrom = t;
            filledAge = prepared.age();
            filledTtl = prepared.ttl();
            filledSecond = prepared.second();
        }
        head = scratch;
        headLength = size[0];
        status = prepared.template().head().status();
        body = headRequest ? null : b;
        bytesOut = length;
    }

    @Override
    public void sendComplete(PreparedHead prepared, ByteBuffer b, BodyFile f) {
        boolean was = head != null;
        sendComplete(prepared, b);
        if (!was && body != null && f != null && f.length() == body.remaining()) {
            file = f;
        }
    }

    @Override
    public void sendComplete(ResponseHead h, ByteBuffer... buffers) {
        if (!first()) {
            return;
        }
        long total = 0;
        for (ByteBuffer b : buffers) {
            total += b.remaining();
        }
        WireHead w = new WireHead(h.status(), h.reason()).copy(h.headers(), false);
        w.put(Headers.CONTENT_LENGTH, Long.toString(total));
        head(w.encode());
        status = h.status();
        bytesOut = total;
        if (!headRequest && total > 0) {
            if (buffers.length == 1) {
                body = buffers[0].duplicate();
            } else {
                ByteBuffer all = ByteBuffer.allocate((int) total);
                for (ByteBuffer b : buffers) {
                    all.put(b.duplicate());
                }
                body = all.flip();
            }
        }
    }

    @Override
    public void sendHeadOnly(ResponseHead h) {
        if (!first()) {
            return;
        }
        WireHead w = new WireHead(h.status(), h.reason()).copy(h.headers(), true);
        int s = h.status();
        if (s < 200 || s == 204 || s == 304) {
            // Undertow's HttpTransferEncoding: no framing fields on a response that cannot have content.
            w.remove(Headers.CONTENT_LENGTH).remove(Headers.TRANSFER_ENCODING);
        } else if (!headRequest) {
            // HttpServerExchange.endExchange on a response with no body written: Content-Length 0.
            w.put(Headers.CONTENT_LENGTH, "0");
        }
        head(w.encode());
        status = s;
    }

    @Override
    public void sendError(int s, String message) {
        sendError(s, message, HeaderFields.empty());
    }

    @Override
    public void sendError(int s, String message, HeaderFields own) {
        if (!first()) {
            return;
        }
        // As UndertowResponseSink.sendError on an exchange with no response started.
        byte[] b = (message + "\n").getBytes(StandardCharsets.UTF_8);
        WireHead w = new WireHead(s, null);
        w.put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        if (s == 503 && !own.contains("Retry-After")) {
            w.put(Headers.RETRY_AFTER, Long.toString(retryAfterSeconds));
        }
        for (int i = 0; i < own.size(); i++) {
            w.add(own.name(i), own.value(i));
        }
        w.put(Headers.CONTENT_LENGTH, Integer.toString(b.length));
        head(w.encode());
        status = s;
        bytesOut = b.length;
        body = headRequest ? null : ByteBuffer.wrap(b);
    }

    /** Not possible on the fast path (it never blocks); makes the answer unusable. */
    @Override
    public OutputStream start(ResponseHead h, long contentLength) {
        unusable = true;
        throw new UnsupportedOperationException("the hit shortcut only takes complete answers");
    }

    @Override
    public boolean isStarted() {
        return head != null;
    }

    @Override
    public void outcome(String o) {
        this.outcome = o;
    }

    @Override
    public void originNanos(long nanos) {
        this.originNanos = nanos;
    }

    /** Closing is Undertow's job (Connection: close, then a clean close): the normal path answers. */
    @Override
    public void closeConnection() {
        unusable = true;
    }
}
