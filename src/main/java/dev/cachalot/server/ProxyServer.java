package dev.cachalot.server;

import dev.cachalot.config.HostPort;
import dev.cachalot.config.ServerConfig;
import dev.cachalot.metrics.ProxyMetrics;
import dev.cachalot.origin.ProxyHeaders;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.connector.ByteBufferPool;
import io.undertow.protocols.ssl.UndertowXnioSsl;
import io.undertow.server.protocol.http.AlpnOpenListener;
import io.undertow.server.protocol.http.HttpOpenListener;
import io.undertow.server.protocol.http2.Http2OpenListener;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.ChannelListener;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.SslClientAuthMode;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;
import org.xnio.ssl.SslConnection;

/**
 * The client-facing Undertow server: the plain HTTP/1.1 listener and the optional TLS listener
 * (HTTP/1.1 and HTTP/2 via ALPN), each with the connection limiter and, for HTTP/1.x, the strict
 * framing conduit in front of Undertow's parser. Built by hand on XNIO (instead of
 * {@code Undertow.builder()}) because the builder offers no place to wrap the open listener.
 */
public final class ProxyServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProxyServer.class);

    private final ServerConfig config;
    private final FrontHandler front;
    private final AtomicInteger openConnections = new AtomicInteger();
    private XnioWorker worker;
    /** The listening channels (XNIO's accepting channels, or our own acceptor); closed to stop accepting. */
    private final List<Closeable> servers = new ArrayList<>();
    /** The plain listener's own acceptor (connectionPlacement incoming-cpu), or null. */
    private PlacingAcceptor acceptor;
    /** Where the acceptor learns each connection's incoming CPU (tests replace it before start). */
    private IncomingCpu incomingCpu;
    private final List<io.undertow.server.OpenListener> openListeners = new ArrayList<>();
    private InetSocketAddress plainAddress;
    private InetSocketAddress tlsAddress;
    private final ProxyMetrics metrics;
    private final ExecutorService relayPool;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The plain reverse listener's hit shortcut, or null (off, or a forward listener). */
    private final HitShortcut shortcut;

    public ProxyServer(ServerConfig config, RequestProcessor processor, VirtualHosts hosts, ProxyHeaders headers,
                       ProxyMetrics metrics, ExchangeListener listener, Clock clock) {
        this.config = config;
        this.metrics = metrics;
        this.front = new FrontHandler(processor, hosts, config, headers, metrics, listener, clock);
        this.relayPool = null;
        this.shortcut = config.hitShortcut() ? new HitShortcut(front, processor, hosts, headers, metrics, listener,
                clock, config.limits().retryAfter().toSeconds(), new AnswerYield(config.ioYieldEvery())) : null;
    }

    private ProxyServer(ServerConfig config, RequestProcessor processor, ProxyHeaders headers, ProxyMetrics metrics,
                        ExchangeListener listener, Clock clock, TunnelOpener tunnels) {
        this.config = config;
        this.metrics = metrics;
        AtomicInteger n = new AtomicInteger();
        this.relayPool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "cachalot-tunnel-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.front = new FrontHandler(processor, null, config, headers, metrics, listener, clock,
                new ForwardFront(tunnels, relayPool));
        // No hit shortcut here: forward requests are absolute-form with per-host rules, an ACL and
        // proxy authentication in front of the pipeline; they all take the normal path.
        this.shortcut = null;
    }

    /**
     * A forward-proxy listener on {@code listen}: plain HTTP/1.1 only, the same limits, framing
     * check and admission as {@code base}, targets taken from the request line (absolute-form;
     * origin-form gets 400), and CONNECT tunnels through {@code tunnels}.
     */
    public static ProxyServer forward(ServerConfig base, HostPort listen, RequestProcessor processor,
                                      ProxyHeaders headers, ProxyMetrics metrics, ExchangeListener listener,
                                      Clock clock, TunnelOpener tunnels) {
        ServerConfig.TlsConfig noTls = new ServerConfig.TlsConfig(false, base.tls().listen(), "", "", false);
        ServerConfig c = new ServerConfig(listen, noTls, base.ioThreads(), base.limits(), base.allowBodyOnGetHead(),
                base.trustedProxies(), base.unknownHost(), base.defaultRoute(), base.via(), base.shutdownTimeout(),
                true, base.connectionPlacement(), base.ioYieldEvery());
        return new ProxyServer(c, processor, headers, metrics, listener, clock, tunnels);
    }

    /** Binds the listeners and starts accepting. */
    public void start(SSLContext tls) throws IOException {
        ServerConfig.Limits limits = config.limits();
        int io = config.ioThreads() > 0 ? config.ioThreads() : Math.max(2, Runtime.getRuntime().availableProcessors());
        // One worker thread per allowed concurrent request (plus a few for completion work): admission
        // control in FrontHandler keeps the task queue from growing without bound.
        int maxWorkers = limits.maxConcurrentRequests() + 8;
        Xnio xnio = Xnio.getInstance(Undertow.class.getClassLoader());
        worker = xnio.createWorker(OptionMap.builder()
                .set(Options.WORKER_IO_THREADS, io)
                .set(Options.WORKER_TASK_CORE_THREADS, Math.min(maxWorkers, io * 8))
                .set(Options.WORKER_TASK_MAX_THREADS, maxWorkers)
                .set(Options.WORKER_TASK_KEEPALIVE, 60_000)
                .set(Options.TCP_NODELAY, true)
                .set(Options.WORKER_NAME, "cachalot")
                .getMap());
        OptionMap socket = OptionMap.builder()
                .set(Options.WORKER_IO_THREADS, io)
                .set(Options.TCP_NODELAY, true)
                .set(Options.REUSE_ADDRESSES, true)
                .set(Options.BALANCING_TOKENS, 1)
                .set(Options.BALANCING_CONNECTIONS, 2)
                .set(Options.BACKLOG, 1024)
                .set(Options.READ_TIMEOUT, (int) Math.min(Integer.MAX_VALUE, limits.readTimeout().toMillis()))
                .set(Options.WRITE_TIMEOUT, (int) Math.min(Integer.MAX_VALUE, limits.readTimeout().toMillis()))
                .getMap();
        OptionMap undertow = OptionMap.builder()
                // The framing scanner enforces the real limits first (with 431/414); these are a backstop.
                .set(UndertowOptions.MAX_HEADER_SIZE, limits.maxHeaderBytes() * 2 + limits.maxRequestLineBytes())
                .set(UndertowOptions.MAX_HEADERS, limits.maxHeaderCount() * 2)
                .set(UndertowOptions.MAX_ENTITY_SIZE, limits.maxRequestBodyBytes() > 0 ? limits.maxRequestBodyBytes() : -1L)
                .set(UndertowOptions.DECODE_URL, false)
                .set(UndertowOptions.ALLOW_UNESCAPED_CHARACTERS_IN_URL, false)
                .set(UndertowOptions.ALWAYS_SET_DATE, true)
                .set(UndertowOptions.ALWAYS_SET_KEEP_ALIVE, false)
                .set(UndertowOptions.NO_REQUEST_TIMEOUT, (int) Math.min(Integer.MAX_VALUE, limits.idleTimeout().toMillis()))
                .set(UndertowOptions.REQUEST_PARSE_TIMEOUT, (int) Math.min(Integer.MAX_VALUE, limits.readTimeout().toMillis()))
                .set(UndertowOptions.ENABLE_HTTP2, config.tls().http2())
                .set(UndertowOptions.MAX_CONCURRENT_REQUESTS_PER_CONNECTION, 100)
                .getMap();
        // 16 KiB direct buffers; each thread keeps 4 free, 1,024 more (16 MiB) are shared.
        ByteBufferPool buffers = new ThreadCachedBufferPool(true, 16 * 1024, 4, 1024);
        FramingScanner.Rules rules = new FramingScanner.Rules(limits.maxRequestLineBytes(), limits.maxHeaderBytes(),
                limits.maxHeaderCount(), limits.maxRequestBodyBytes(), config.allowBodyOnGetHead(), relayPool != null);
        long retry = limits.retryAfter().toSeconds();

        HttpOpenListener http = new HttpOpenListener(buffers, undertow);
        http.setRootHandler(front);
        openListeners.add(http);
        ConnectionLimiter plain = new ConnectionLimiter(new GuardedOpenListener(http, rules, metrics, shortcut),
                limits.maxConnections(), retry, openConnections, metrics);
        if (config.connectionPlacement() == ServerConfig.ConnectionPlacement.INCOMING_CPU) {
            // Our own accept loop: the I/O thread is chosen from the connection's incoming CPU
            // (PlacementPolicy) instead of at random; same socket options and timeouts as below.
            acceptor = new PlacingAcceptor(worker, address(config.listen()), socket.get(Options.BACKLOG, 1024),
                    socket.get(Options.READ_TIMEOUT, 0), socket.get(Options.WRITE_TIMEOUT, 0),
                    incomingCpu != null ? incomingCpu : SocketIncomingCpu.load(), plain);
            servers.add(acceptor);
            plainAddress = acceptor.localAddress();
        } else {
            AcceptingChannel<StreamConnection> plainServer = worker.createStreamConnectionServer(
                    address(config.listen()), ChannelListeners.openListenerAdapter(plain), socket);
            plainServer.resumeAccepts();
            servers.add(plainServer);
            plainAddress = plainServer.getLocalAddress(InetSocketAddress.class);
        }

        if (tls != null) {
            HttpOpenListener https = new HttpOpenListener(buffers, undertow);
            https.setRootHandler(front);
            openListeners.add(https);
            GuardedOpenListener guarded = new GuardedOpenListener(https, rules, metrics);
            ChannelListener<StreamConnection> open;
            if (config.tls().http2()) {
                AlpnOpenListener alpn = new AlpnOpenListener(buffers, undertow, guarded);
                Http2OpenListener h2 = new Http2OpenListener(buffers, undertow);
                h2.setRootHandler(front);
                openListeners.add(h2);
                alpn.addProtocol(Http2OpenListener.HTTP2, h2, 10);
                open = alpn;
            } else {
                open = guarded;
            }
            ConnectionLimiter limited = new ConnectionLimiter(open, limits.maxConnections(), retry, openConnections,
                    metrics);
            UndertowXnioSsl ssl = new UndertowXnioSsl(xnio, OptionMap.EMPTY, buffers, tls);
            OptionMap tlsSocket = OptionMap.builder().addAll(socket)
                    .set(Options.SSL_CLIENT_AUTH_MODE, SslClientAuthMode.NOT_REQUESTED)
                    .set(Options.USE_DIRECT_BUFFERS, true)
                    .getMap();
            AcceptingChannel<SslConnection> tlsServer = ssl.createSslConnectionServer(worker,
                    address(config.tls().listen()), ChannelListeners.<SslConnection>openListenerAdapter(limited),
                    tlsSocket);
            tlsServer.resumeAccepts();
            servers.add(tlsServer);
            tlsAddress = tlsServer.getLocalAddress(InetSocketAddress.class);
        }
    }

    /** Replaces the incoming-CPU source of the plain listener's acceptor; call before {@link #start}. */
    ProxyServer incomingCpu(IncomingCpu source) {
        this.incomingCpu = source;
        return this;
    }

    /** The plain listener's own acceptor, or null when placement is random (tests read its counts). */
    PlacingAcceptor acceptor() {
        return acceptor;
    }

    /** I/O thread {@code index} of this server's worker (tests check which thread served a connection). */
    Thread ioThread(int index) {
        return worker.getIoThread(index);
    }

    private static InetSocketAddress address(HostPort hp) {
        return new InetSocketAddress(hp.host(), hp.port());
    }

    /** The plain listener's hit shortcut, or null when it is off (tests read its counters). */
    HitShortcut hitShortcut() {
        return shortcut;
    }

    /** The bound plain listener address. */
    public InetSocketAddress plainAddress() {
        return plainAddress;
    }

    /** The bound TLS listener address, or null. */
    public InetSocketAddress tlsAddress() {
        return tlsAddress;
    }

    public int inFlight() {
        return front.inFlight();
    }

    /** Answers given on the I/O thread still waiting for the socket (a graceful stop waits for them too). */
    public int answersWriting() {
        return front.answersWriting();
    }

    public int openConnections() {
        return openConnections.get();
    }

    /**
     * Graceful stop: stop accepting, answer new requests on open connections with 503 + close, wait
     * up to {@code timeout} for in-flight requests and for hit-shortcut answers still waiting for a
     * slow reader's socket, then close everything.
     *
     * @return true when every in-flight request finished in time
     */
    public boolean shutdown(Duration timeout) {
        for (Closeable s : servers) {
            IoUtils.safeClose(s);
        }
        front.drain();
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean drained = true;
        while (front.inFlight() > 0 || front.answersWriting() > 0) {
            if (System.nanoTime() > deadline) {
                drained = false;
                LOG.warn("shutdown: {} requests in flight and {} answers still being written after {}",
                        front.inFlight(), front.answersWriting(), timeout);
                break;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        close();
        return drained;
    }

    @Override
    public void close() {
        // Once only: after the worker has stopped, closing a listener again would wait forever for
        // its (gone) I/O thread (a shutdown followed by a close, as in try-with-resources).
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (Closeable s : servers) {
            IoUtils.safeClose(s);
        }
        for (io.undertow.server.OpenListener l : openListeners) {
            l.closeConnections();
        }
        if (relayPool != null) {
            relayPool.shutdownNow();
        }
        if (worker != null) {
            worker.shutdownNow();
            try {
                worker.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
