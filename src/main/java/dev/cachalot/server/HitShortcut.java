package dev.cachalot.server;

import dev.cachalot.metrics.ExchangeRecord;
import dev.cachalot.metrics.ProxyMetrics;
import dev.cachalot.origin.OriginTarget;
import dev.cachalot.origin.ProxyHeaders;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.StreamConnection;

/**
 * The hit shortcut of one plain HTTP/1.1 listener: answers a complete, simple request straight from
 * the framing conduit, below Undertow, when the processor's own I/O-thread fast path answers it
 * (a fresh hit whose body is in a buffer: memory tier, or a leased view of the disk tier), with the same bytes, the same access-log line and the same metrics as
 * the Undertow path. {@link StrictFramingConduit} decides when a connection is idle enough to try
 * ({@link ShortcutConnection}); this class decides whether a request qualifies and builds the
 * answer. Every "no" leaves the request to Undertow untouched.
 *
 * <p>What the shortcut skips compared with the Undertow path, and why that is safe for a request
 * of this shape: Undertow's parser and {@code HttpServerExchange} (the request is parsed here,
 * {@link ShortcutRequest}); its {@code HostHeaderHandler} (the Host is restricted to what it
 * accepts); FrontHandler's admission limit (a fast-path answer is given over the limit too) and its
 * framing second lock (only requests the scanner validated and ended get here); the response
 * writer (the bytes are those {@link WireHead} reproduces).
 */
final class HitShortcut {
    private static final Logger LOG = LoggerFactory.getLogger(HitShortcut.class);
    private static final InputStream NO_BODY = InputStream.nullInputStream();

    private final FrontHandler front;
    private final RequestProcessor processor;
    private final VirtualHosts hosts;
    private final ProxyHeaders proxyHeaders;
    private final ProxyMetrics metrics;
    private final ExchangeListener listener;
    private final Clock clock;
    private final long retryAfterSeconds;
    /** Requests answered here. */
    private final LongAdder answers = new LongAdder();
    /** Answers whose write did not complete at once (the socket buffer was full). */
    private final LongAdder deferred = new LongAdder();
    /** Gives the I/O thread's CPU away every so many answers (server.ioYieldEvery). */
    private final AnswerYield yield;

    HitShortcut(FrontHandler front, RequestProcessor processor, VirtualHosts hosts, ProxyHeaders proxyHeaders,
                ProxyMetrics metrics, ExchangeListener listener, Clock clock, long retryAfterSeconds,
                AnswerYield yield) {
        this.front = front;
        this.processor = processor;
        this.hosts = hosts;
        this.proxyHeaders = proxyHeaders;
        this.metrics = metrics;
        this.listener = listener;
        this.clock = clock;
        this.retryAfterSeconds = retryAfterSeconds;
        this.yield = yield;
    }

    /** Requests answered by the shortcut since start. */
    long answered() {
        return answers.sum();
    }

    /** Times an I/O thread gave its CPU away after answers (server.ioYieldEvery). */
    long yields() {
        return yield.yields();
    }

    /** Answers that had to wait for the socket to become writable. */
    long deferred() {
        return deferred.sum();
    }

    /** Counts an answer whose write is waiting for the socket; a graceful stop waits for it. */
    void deferredWrite() {
        // Counted as being written before the statistic shows it: whoever sees the statistic move (a
        // test, an operator) also sees the answer in the drain's count.
        front.answerWriting();
        deferred.increment();
    }

    /** A deferred answer was written, failed, or its connection closed. */
    void deferredWriteEnded() {
        front.answerWritten();
    }

    /** Retry-After seconds of the listener's 503 answers (a sink's error answers). */
    long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    /** False while the listener drains (every new request must get Undertow's 503 + close). */
    boolean open() {
        return !front.draining();
    }

    /**
     * Tries to answer the request whose complete head is {@code buf[from, to)}.
     *
     * @param cache the connection's last parsed request (reused when the bytes repeat)
     * @param known the request already recognised by the cache, or null to parse {@code buf[from, to)}
     * @param sink  the connection's sink, reset here; holds the answer to write when true is returned
     * @return true when answered; false when the request must go to Undertow (nothing was sent)
     */
    boolean tryAnswer(ByteBuffer buf, int from, int to, ConnectionGuard guard, StreamConnection connection,
                      RequestCache cache, ShortcutRequest known, ShortcutSink sink) {
        long startNanos = System.nanoTime();
        ShortcutRequest r = known != null ? known : cache.parse(buf, from, to);
        if (r == null) {
            return false;
        }
        OriginTarget route = cache.route(r, hosts);
        if (route == null) {
            return false; // 421/404 is Undertow's
        }
        String peer = guard.peer;
        if (peer == null) {
            InetSocketAddress a = connection.getPeerAddress(InetSocketAddress.class);
            peer = a == null || a.getAddress() == null ? "unknown" : a.getAddress().getHostAddress();
            guard.peer = peer;
        }
        String client = proxyHeaders.clientAddress(peer, r.head().headers());
        RequestIds.Block ids = guard.requestIds;
        if (ids == null || ids.owner != Thread.currentThread()) {
            ids = front.requestIdBlock(); // the connection's I/O thread's block, kept with the connection
            guard.requestIds = ids;
        }
        String requestId = front.nextRequestId(ids);
        ClientInfo info = new ClientInfo(requestId, peer, client, false, "HTTP/1.1", clock.instant(), startNanos);
        sink.reset(r.isHead());
        boolean answered;
        try {
            answered = processor.tryAnswerNow(new ClientRequest(r.head(), route, info, 0, NO_BODY), sink);
        } catch (RuntimeException e) {
            sink.releaseHeld();
            LOG.debug("hit shortcut declined {} after a failure: {}", requestId, e.toString());
            return false; // the normal path runs the fast path again and answers the failure
        }
        if (!answered || !sink.usable()) {
            sink.releaseHeld(); // the normal path looks the entry up again
            return false;
        }
        sink.request = r;
        sink.info = info;
        sink.route = route.route();
        answers.increment();
        return true;
    }

    /**
     * Records a written answer: the same {@link ExchangeRecord} as FrontHandler's completion listener
     * makes (the duration runs until the last byte was handed to the socket).
     */
    void completed(ShortcutSink s) {
        try {
            ClientInfo i = s.info;
            ExchangeRecord r = new ExchangeRecord(i.start(), i.requestId(), i.clientAddress(), s.request.head().method(),
                    s.request.head().target(), s.request.host(), "HTTP/1.1", s.status, 0, s.bytesOut,
                    System.nanoTime() - i.startNanos(), s.originNanos, s.outcome, s.route);
            metrics.exchangeCompleted(r);
            listener.exchangeCompleted(r);
        } catch (RuntimeException e) {
            LOG.debug("exchange listener failed", e);
        }
        yield.answered(); // after the answer is on its way and recorded, so no one waits for it meanwhile
    }
}
