package dev.cachalot.server;

import dev.cachalot.origin.OriginTarget;
import io.undertow.server.HttpServerExchange;
import java.io.IOException;
import java.net.Socket;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;

/**
 * The forward-proxy part of the front end: reads the target from the request line (absolute-form
 * for ordinary requests, authority-form for CONNECT) and runs CONNECT tunnels through a
 * {@link TunnelOpener}. Origin-form requests are refused with 400: on a forward listener they are
 * either a misconfigured client or an attempt to use the proxy as a web server.
 */
final class ForwardFront {
    private static final Logger LOG = LoggerFactory.getLogger("cachalot.forward");
    /** The route name forward requests carry in metrics and logs (one name, not one per host). */
    static final String ROUTE = "forward";

    private final TunnelOpener tunnels;
    private final ExecutorService relayPool;

    ForwardFront(TunnelOpener tunnels, ExecutorService relayPool) {
        this.tunnels = tunnels;
        this.relayPool = relayPool;
    }

    /**
     * The target of a request on a forward listener.
     *
     * @param scheme    http or https
     * @param authority host[:port] as it goes into Host (IPv6 bracketed)
     * @param target    path and query (origin form) for ordinary requests; the authority for CONNECT
     * @param connect   a CONNECT request
     * @param route     where to send it
     * @param error     why the target was refused, or null
     */
    record Target(String scheme, String authority, String target, boolean connect, OriginTarget route,
                  String error) {
        static Target refuse(String why) {
            return new Target(null, null, null, false, null, why);
        }

        /** Reads the target from what Undertow parsed from the request line. */
        static Target of(String method, String uri, boolean absolute, String query) {
            if (method.equals("CONNECT")) {
                // RFC 9112 §3.2.3: authority-form, uri-host ":" port, nothing else.
                if (uri.indexOf('/') >= 0 || uri.indexOf('@') >= 0 || !FramingScanner.validHost(uri)) {
                    return refuse("CONNECT needs a host:port target");
                }
                HostAndPort hp = HostAndPort.split(uri, -1);
                if (hp == null) {
                    return refuse("CONNECT needs a host:port target");
                }
                return new Target("https", uri, uri, true, new OriginTarget(ROUTE, "https", hp.host, hp.port, null),
                        null);
            }
            if (!absolute) {
                return refuse("this is a forward proxy: send requests in absolute form (GET http://host/path) "
                        + "or use CONNECT host:443; configure this address as your HTTP proxy");
            }
            // RFC 9112 §3.2.2: absolute-form; Undertow has already split off the query.
            int sep = uri.indexOf("://");
            String scheme = sep < 0 ? "" : uri.substring(0, sep).toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                return refuse("only http:// and https:// targets are proxied");
            }
            int slash = uri.indexOf('/', sep + 3);
            String authority = slash < 0 ? uri.substring(sep + 3) : uri.substring(sep + 3, slash);
            if (authority.indexOf('@') >= 0) {
                return refuse("user information in the target URI is not allowed");
            }
            if (authority.isEmpty() || !FramingScanner.validHost(authority)) {
                return refuse("invalid host in the target URI");
            }
            HostAndPort hp = HostAndPort.split(authority, scheme.equals("https") ? 443 : 80);
            if (hp == null) {
                return refuse("invalid host in the target URI");
            }
            String path = slash < 0 ? "/" : uri.substring(slash);
            String target = query == null || query.isEmpty() ? path : path + "?" + query;
            return new Target(scheme, authority.toLowerCase(Locale.ROOT), target, false,
                    new OriginTarget(ROUTE, scheme, hp.host, hp.port, null), null);
        }
    }

    /** host and port of an authority; null when the port is missing (and required) or invalid. */
    record HostAndPort(String host, int port) {
        static HostAndPort split(String authority, int defaultPort) {
            String host;
            String port;
            if (authority.startsWith("[")) {
                int close = authority.indexOf(']');
                host = authority.substring(1, close);
                port = close + 1 < authority.length() ? authority.substring(close + 2) : null;
            } else {
                int colon = authority.indexOf(':');
                host = colon < 0 ? authority : authority.substring(0, colon);
                port = colon < 0 ? null : authority.substring(colon + 1);
            }
            if (host.isEmpty()) {
                return null;
            }
            if (port == null || port.isEmpty()) {
                return defaultPort > 0 ? new HostAndPort(host.toLowerCase(Locale.ROOT), defaultPort) : null;
            }
            int p = Integer.parseInt(port); // validHost checked 1-5 digits, <= 65535
            return p < 1 ? null : new HostAndPort(host.toLowerCase(Locale.ROOT), p);
        }
    }

    /** Worker thread: asks the opener for the destination and, when it connects, hands the connection to a relay. */
    void connect(HttpServerExchange ex, ClientRequest request, UndertowResponseSink sink) {
        Socket socket = null;
        try {
            // No startBlocking(): the blocking output stream's close would add "Content-Length: 0" to
            // the 200, which RFC 9110 §9.3.6 forbids; refusals are written with the async sender.
            socket = tunnels.open(request, sink);
        } catch (IOException | RuntimeException e) {
            LOG.warn("CONNECT {} failed: {}", request.head().authority(), e.toString());
        }
        if (socket == null) {
            ex.setPersistent(false); // RFC 9110 §9.3.6: whatever the client sends next is not HTTP
            if (!sink.isStarted()) {
                sink.sendError(502, "could not open tunnel (request " + request.client().requestId() + ")");
            }
            ex.endExchange();
            return;
        }
        Socket destination = socket;
        sink.outcome("TUNNEL");
        // Exactly one of the two owners below takes the destination socket: the relay (once Undertow
        // has written the 200 and hands over the connection) or the clean-up when the client
        // connection died first.
        AtomicBoolean claimed = new AtomicBoolean();
        ex.acceptConnectRequest((connection, exchange) -> {
            if (!claimed.compareAndSet(false, true)) {
                IoUtils.safeClose(connection);
                return;
            }
            TunnelRelay[] relay = new TunnelRelay[1];
            relay[0] = new TunnelRelay(connection, destination, tunnels.idleTimeout().toNanos(), tunnels.bufferBytes(),
                    () -> tunnels.closed(request, relay[0].fromClient.get(), relay[0].toClient.get()));
            relay[0].start(relayPool);
        });
        // Known deviation: Undertow 2.4 writes "Content-Length: 0" on the 200 (RFC 9110 §9.3.6 says a
        // server MUST NOT; a client MUST ignore it). Its chunked conduit adds it for any empty
        // persistent response, and a non-persistent one would close the connection instead of tunnelling.
        ex.addExchangeCompleteListener((e, next) -> {
            if (!e.getConnection().isOpen() && claimed.compareAndSet(false, true)) {
                IoUtils.safeClose(destination);
                tunnels.closed(request, 0, 0);
            }
            next.proceed();
        });
        ex.endExchange();
    }
}
