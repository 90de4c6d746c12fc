package dev.cachalot.server;

import dev.cachalot.config.ServerConfig;
import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.RequestHead;
import dev.cachalot.metrics.ExchangeRecord;
import dev.cachalot.metrics.ProxyMetrics;
import dev.cachalot.origin.MaxForwards;
import dev.cachalot.origin.OriginException;
import dev.cachalot.origin.OriginTarget;
import dev.cachalot.origin.ProxyHeaders;
import io.undertow.server.AbstractServerConnection;
import io.undertow.server.ExchangeCompletionListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.ServerConnection;
import io.undertow.util.AttachmentKey;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first and only Undertow handler of the proxy listener, on the I/O thread: framing verdict,
 * admission (503 + Retry-After over the concurrency limit or while draining), virtual-host routing
 * (421/404), conversion to {@link ClientRequest}, then the processor's fast path or a dispatch to a
 * worker thread for the blocking path. Records one {@link ExchangeRecord} per exchange on completion.
 */
final class FrontHandler implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(FrontHandler.class);
    private static final AttachmentKey<ConnectionGuard> GUARD = AttachmentKey.create(ConnectionGuard.class);
    private static final String ID_PREFIX = Long.toString(ThreadLocalRandom.current().nextLong() >>> 28, 36);

    private final RequestProcessor processor;
    private final VirtualHosts hosts;
    private final ServerConfig config;
    private final ProxyHeaders proxyHeaders;
    private final ProxyMetrics metrics;
    private final ExchangeListener listener;
    private final Clock clock;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger answersWriting = new AtomicInteger();
    private final RequestIds ids = new RequestIds(ID_PREFIX);
    private final ForwardFront forward;
    private volatile boolean draining;

    FrontHandler(RequestProcessor processor, VirtualHosts hosts, ServerConfig config, ProxyHeaders proxyHeaders,
                 ProxyMetrics metrics, ExchangeListener listener, Clock clock) {
        this(processor, hosts, config, proxyHeaders, metrics, listener, clock, null);
    }

    /** A front handler; with {@code forward} non-null it serves a forward-proxy listener (no virtual hosts). */
    FrontHandler(RequestProcessor processor, VirtualHosts hosts, ServerConfig config, ProxyHeaders proxyHeaders,
                 ProxyMetrics metrics, ExchangeListener listener, Clock clock, ForwardFront forward) {
        this.forward = forward;
        this.processor = processor;
        this.hosts = hosts;
        this.config = config;
        this.proxyHeaders = proxyHeaders;
        this.metrics = metrics;
        this.listener = listener;
        this.clock = clock;
    }

    /** Requests being processed now. */
    int inFlight() {
        return inFlight.get();
    }

    /**
     * Answers that hold no admission slot but are still being written: hit shortcut answers the socket
     * took only part of, and memory hits answered over the admission limit until their exchange
     * completes. A graceful stop waits for them like for a request in flight.
     */
    int answersWriting() {
        return answersWriting.get();
    }

    void answerWriting() {
        answersWriting.incrementAndGet();
    }

    void answerWritten() {
        answersWriting.decrementAndGet();
    }

    /** From now on, new requests get 503 and their connections close. */
    void drain() {
        draining = true;
    }

    /** True once {@link #drain()} was called. */
    boolean draining() {
        return draining;
    }

    /** The next request id of this listener (also used by the hit shortcut, so ids come from one sequence). */
    String nextRequestId() {
        return ids.next();
    }

    /** The calling thread's block of request ids, for {@link #nextRequestId(RequestIds.Block)} on this thread. */
    RequestIds.Block requestIdBlock() {
        return ids.block();
    }

    /** As {@link #nextRequestId()}, from the calling thread's block {@code b} (no thread-local lookup). */
    String nextRequestId(RequestIds.Block b) {
        return ids.next(b);
    }

    @Override
    public void handleRequest(HttpServerExchange ex) {
        long startNanos = System.nanoTime();
        ConnectionGuard guard = guard(ex);
        if (guard != null) {
            FramingViolation v = guard.violation;
            long ordinal = ++guard.requestsSeen;
            if (v != null && ordinal > guard.validHeadsBeforeViolation) {
                // Normally the conduit never lets such a request through; this is the second lock.
                guard.answered = true;
                ex.setPersistent(false);
                plain(ex, v.status(), v.message());
                return;
            }
            if (guard.scanner.tunnelling() && ordinal > guard.scanner.validHeads()) {
                // Bytes after a CONNECT are tunnel data, never a request (forward listener only).
                guard.answered = true;
                ex.setPersistent(false);
                plain(ex, 400, "request after CONNECT");
                return;
            }
            guard.activeExchanges.incrementAndGet();
        }
        // Registered at once so the guard's count is released whatever path the request takes below.
        Completion done = new Completion(guard);
        ex.addExchangeCompleteListener(done);
        if (asksToClose(ex)) {
            // Undertow only honours "Connection: close" alone; RFC 9110 §7.6.1 makes it a list.
            ex.setPersistent(false);
        }
        String requestId = nextRequestId();
        String peer;
        if (guard != null) {
            // One connection, one peer: the address text is made once per connection, not per request.
            peer = guard.peer;
            if (peer == null) {
                peer = peerAddress(ex);
                guard.peer = peer;
            }
        } else {
            peer = peerAddress(ex);
        }
        HeaderFields headers = headers(ex);
        String client = proxyHeaders.clientAddress(peer, headers);
        String protocol = ex.getProtocol().toString();
        String host = headers.first("Host");
        String authority = host != null ? host : "";
        ClientInfo info = new ClientInfo(requestId, peer, client, ex.isSecure() || "https".equals(ex.getRequestScheme()),
                protocol, clock.instant(), startNanos);
        String target = target(ex);
        RequestHead head;
        OriginTarget route;
        ForwardFront.Target fwd = null;
        if (forward != null) {
            // RFC 9112 §3.2.2 / §3.2.3: a proxy takes its target from the request line, not from Host.
            fwd = ForwardFront.Target.of(ex.getRequestMethod().toString(), ex.getRequestURI(),
                    ex.isHostIncludedInRequestURI(), ex.getQueryString());
            if (fwd.error() != null) {
                metrics.rejected("forward-target");
                ex.setPersistent(false);
                plain(ex, 400, fwd.error() + " (request " + requestId + ")");
                return;
            }
            headers = headers.with("Host", fwd.authority());
            head = new RequestHead(ex.getRequestMethod().toString(), fwd.scheme(), fwd.authority(),
                    fwd.connect() ? fwd.authority() : fwd.target(), protocol, headers);
            route = fwd.route();
        } else {
            head = new RequestHead(ex.getRequestMethod().toString(), info.secure() ? "https" : "http",
                    authority, target, protocol, headers);
            route = hosts.resolve(host);
        }

        long contentLength = contentLength(ex, headers);
        ClientBody body = new ClientBody(ex, contentLength != 0);
        UndertowResponseSink sink = new UndertowResponseSink(ex, body, config.limits().retryAfter().toSeconds());

        boolean admitted = !draining && inFlight.incrementAndGet() <= config.limits().maxConcurrentRequests();
        if (!admitted) {
            if (!draining) {
                inFlight.decrementAndGet();
            }
            // The limit protects worker threads and origin connections; a fresh memory hit needs neither
            // (it is written from this I/O thread), so it is still served: a slow origin that fills the
            // limit with misses must not turn every hit into a 503.
            if (!draining && route != null && fwd == null && !MaxForwards.answerHere(head)) {
                done.recordAs(false, info, head, route, body, sink);
                // It holds no slot, but its body may still be written when a stop begins: a graceful
                // stop waits for it like for a hit shortcut answer still being written.
                done.countAsWriting();
                try {
                    if (processor.tryAnswerNow(new ClientRequest(head, route, info, contentLength, body), sink)) {
                        return;
                    }
                } catch (RuntimeException e) {
                    LOG.debug("fast path over the limit failed for {}: {}", requestId, e.toString());
                    if (sink.isStarted()) {
                        return;
                    }
                }
                done.stopCountingAsWriting();
            }
            done.recordAs(false, info, head, null, body, sink);
            sink.outcome("REJECTED");
            metrics.rejected(draining ? "shutdown" : "overload");
            // RFC 9110 §15.6.4: tell the client when to come back instead of queueing it.
            ex.getResponseHeaders().put(Headers.RETRY_AFTER, config.limits().retryAfter().toSeconds());
            if (draining) {
                ex.setPersistent(false);
            }
            plain(ex, 503, (draining ? "server is shutting down" : "too many concurrent requests")
                    + " (request " + requestId + ")");
            return;
        }
        done.recordAs(true, info, head, route, body, sink);
        if (route == null) {
            metrics.rejected("unknown-host");
            ServerConfig.UnknownHost u = config.unknownHost();
            sink.outcome("NO_ROUTE");
            sink.sendError(u.status(), "no route for host '" + (host == null ? "" : host) + "' (request " + requestId
                    + ")");
            return;
        }
        if (MaxForwards.answerHere(head)) {
            // RFC 9110 §7.6.2: TRACE/OPTIONS with Max-Forwards: 0 are answered here, never forwarded.
            MaxForwards.Answer a = MaxForwards.answer(head);
            sink.outcome("SYNTHETIC");
            sink.sendComplete(proxyHeaders.toClient(a.head(), protocol), ByteBuffer.wrap(a.body()));
            return;
        }
        ClientRequest request = new ClientRequest(head, route, info, contentLength, body);
        if (fwd != null && fwd.connect()) {
            ex.dispatch(() -> forward.connect(ex, request, sink));
            return;
        }
        try {
            if (processor.tryAnswerNow(request, sink)) {
                return;
            }
        } catch (RuntimeException e) {
            LOG.warn("fast path failed for {} {}", requestId, head.uri(), e);
            if (!sink.isStarted()) {
                sink.sendError(500, "internal error (request " + requestId + ")");
            }
            return;
        }
        ex.dispatch(() -> process(ex, request, sink));
    }

    private void process(HttpServerExchange ex, ClientRequest request, UndertowResponseSink sink) {
        ex.startBlocking();
        try {
            processor.process(request, sink);
        } catch (OriginException e) {
            sink.sendError(e.kind().status(), e.getMessage() + " (request " + request.client().requestId() + ")",
                    e.responseFields());
        } catch (Throwable t) {
            LOG.warn("request {} failed", request.client().requestId(), t);
            sink.sendError(502, "proxy error (request " + request.client().requestId() + ")");
        } finally {
            ex.endExchange();
        }
    }

    /**
     * The one completion listener of an exchange (one object, not a lambda per concern): releases the
     * connection guard's count and the admission slot, then records the exchange.
     */
    private final class Completion implements ExchangeCompletionListener {
        private final ConnectionGuard guard;
        private boolean admitted;
        /** Counted in answersWriting until the exchange completes. */
        private boolean writing;
        private ClientInfo info;
        private RequestHead head;
        private OriginTarget route;
        private ClientBody body;
        private UndertowResponseSink sink;

        Completion(ConnectionGuard guard) {
            this.guard = guard;
        }

        /** The exchange is an answer given over the admission limit: counted in {@link #answersWriting()} until it completes. */
        void countAsWriting() {
            if (!writing) {
                writing = true;
                answerWriting();
            }
        }

        /** The answer over the limit was not given after all (the 503 that follows is not waited for). */
        void stopCountingAsWriting() {
            if (writing) {
                writing = false;
                answerWritten();
            }
        }

        /** From now on the exchange is recorded on completion (and, when admitted, releases its slot). */
        void recordAs(boolean admitted, ClientInfo info, RequestHead head, OriginTarget route, ClientBody body,
                    UndertowResponseSink sink) {
            this.admitted = admitted;
            this.info = info;
            this.head = head;
            this.route = route;
            this.body = body;
            this.sink = sink;
        }

        @Override
        public void exchangeEvent(HttpServerExchange e, NextListener next) {
            if (guard != null) {
                guard.activeExchanges.decrementAndGet();
            }
            if (admitted) {
                inFlight.decrementAndGet();
            }
            stopCountingAsWriting();
            if (sink != null) {
                FrontHandler.this.record(e, info, head, route, body, sink);
            }
            next.proceed();
        }
    }

    private void record(HttpServerExchange ex, ClientInfo info, RequestHead head, OriginTarget route, ClientBody body,
                        UndertowResponseSink sink) {
        try {
            int status = ex.isResponseStarted() || ex.isComplete() ? ex.getStatusCode() : 0;
            ExchangeRecord r = new ExchangeRecord(info.start(), info.requestId(), info.clientAddress(), head.method(),
                    head.target(), head.authority(), info.protocol(), status, body.bytes, sink.bytesOut,
                    System.nanoTime() - info.startNanos(), sink.originNanos, sink.outcome,
                    route == null ? "" : route.route());
            metrics.exchangeCompleted(r);
            listener.exchangeCompleted(r);
        } catch (RuntimeException e) {
            LOG.debug("exchange listener failed", e);
        }
    }

    /** The connection's framing guard, looked up once per connection and then kept on it. */
    private static ConnectionGuard guard(HttpServerExchange ex) {
        ServerConnection c = ex.getConnection();
        ConnectionGuard g = c.getAttachment(GUARD);
        if (g == null && c instanceof AbstractServerConnection) {
            g = GuardedOpenListener.guardOf(((AbstractServerConnection) c).getChannel());
            if (g != null) {
                c.putAttachment(GUARD, g);
            }
        }
        return g;
    }

    private static boolean asksToClose(HttpServerExchange ex) {
        HeaderValues c = ex.getRequestHeaders().get(Headers.CONNECTION);
        if (c == null) {
            return false;
        }
        for (String v : c) {
            for (String token : v.split(",")) {
                if (token.trim().equalsIgnoreCase("close")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String peerAddress(HttpServerExchange ex) {
        InetSocketAddress a = ex.getSourceAddress();
        if (a == null || a.getAddress() == null) {
            return "unknown";
        }
        return a.getAddress().getHostAddress();
    }

    private static HeaderFields headers(HttpServerExchange ex) {
        HeaderFields.Builder b = HeaderFields.builder();
        for (HeaderValues hv : ex.getRequestHeaders()) {
            String name = hv.getHeaderName().toString();
            for (String v : hv) {
                b.add(name, v);
            }
        }
        return b.build();
    }

    /** The request target in origin form: path and query as received, never decoded. */
    static String target(HttpServerExchange ex) {
        String uri = ex.getRequestURI();
        if (ex.isHostIncludedInRequestURI()) {
            // Absolute form (RFC 9112 §3.2.2): keep only the path.
            int scheme = uri.indexOf("://");
            int slash = scheme < 0 ? -1 : uri.indexOf('/', scheme + 3);
            uri = slash < 0 ? "/" : uri.substring(slash);
        }
        if (uri.isEmpty()) {
            uri = "/";
        }
        String q = ex.getQueryString();
        return q == null || q.isEmpty() ? uri : uri + "?" + q;
    }

    private static long contentLength(HttpServerExchange ex, HeaderFields headers) {
        if (headers.contains("Transfer-Encoding")) {
            return -1;
        }
        String cl = headers.first("Content-Length");
        if (cl != null) {
            try {
                return Long.parseLong(cl.trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        if (ex.getProtocol().toString().startsWith("HTTP/2")) {
            // HTTP/2 may carry a body without Content-Length (RFC 9113 §8.1.1); assume one unless the method forbids.
            String m = ex.getRequestMethod().toString();
            return m.equals("GET") || m.equals("HEAD") || m.equals("OPTIONS") || m.equals("DELETE")
                    || m.equals("TRACE") ? 0 : -1;
        }
        return 0;
    }

    private static void plain(HttpServerExchange ex, int status, String message) {
        byte[] b = (message + "\n").getBytes(StandardCharsets.UTF_8);
        ex.setStatusCode(status);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        ex.getResponseHeaders().put(Headers.CONTENT_LENGTH, b.length);
        ex.getResponseSender().send(ByteBuffer.wrap(b));
    }
}
