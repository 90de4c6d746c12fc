package dev.cachalot.config;

import java.time.Duration;
import java.util.List;

/**
 * The client-facing listener: address, TLS, limits, trusted proxies, virtual-host fallback.
 *
 * @param listen              plain HTTP/1.1 listener
 * @param tls                 the optional TLS listener (HTTP/1.1 and HTTP/2 via ALPN)
 * @param ioThreads           Undertow I/O threads; 0 means one per core
 * @param limits              resource bounds
 * @param allowBodyOnGetHead  accept GET/HEAD requests that carry a body (default: reject with 400)
 * @param trustedProxies      peers (IP or CIDR) whose X-Forwarded-For / Forwarded values are believed
 * @param unknownHost         answer for a Host no route claims when there is no default route
 * @param defaultRoute        route name for hosts no route claims, "" for none
 * @param via                 the pseudonym sent in Via (RFC 9110 §7.6.3)
 * @param shutdownTimeout     how long SIGTERM waits for in-flight requests
 * @param hitShortcut         answer plain fresh memory hits on the plain HTTP/1.1 listener below Undertow
 *                            (docs/DESIGN.md, "Hit shortcut"); false sends every request through Undertow
 * @param connectionPlacement which I/O thread serves a new connection of the plain listener
 * @param ioYieldEvery        an I/O thread gives its CPU to other runnable threads (sched_yield) after
 *                            this many hit-shortcut answers; 0 never yields
 */
public record ServerConfig(HostPort listen, TlsConfig tls, int ioThreads, Limits limits, boolean allowBodyOnGetHead,
                           List<String> trustedProxies, UnknownHost unknownHost, String defaultRoute, String via,
                           Duration shutdownTimeout, boolean hitShortcut, ConnectionPlacement connectionPlacement,
                           int ioYieldEvery) {

    /** Hit-shortcut answers between two yields of an I/O thread when the key is absent. */
    public static final int DEFAULT_IO_YIELD_EVERY = 16;

    /** A server configuration with the default I/O-thread yield. */
    public ServerConfig(HostPort listen, TlsConfig tls, int ioThreads, Limits limits, boolean allowBodyOnGetHead,
                        List<String> trustedProxies, UnknownHost unknownHost, String defaultRoute, String via,
                        Duration shutdownTimeout, boolean hitShortcut, ConnectionPlacement connectionPlacement) {
        this(listen, tls, ioThreads, limits, allowBodyOnGetHead, trustedProxies, unknownHost, defaultRoute, via,
                shutdownTimeout, hitShortcut, connectionPlacement, DEFAULT_IO_YIELD_EVERY);
    }

    /** A server configuration with the default connection placement. */
    public ServerConfig(HostPort listen, TlsConfig tls, int ioThreads, Limits limits, boolean allowBodyOnGetHead,
                        List<String> trustedProxies, UnknownHost unknownHost, String defaultRoute, String via,
                        Duration shutdownTimeout, boolean hitShortcut) {
        this(listen, tls, ioThreads, limits, allowBodyOnGetHead, trustedProxies, unknownHost, defaultRoute, via,
                shutdownTimeout, hitShortcut, ConnectionPlacement.DEFAULT);
    }

    /** A server configuration with the hit shortcut on (its default). */
    public ServerConfig(HostPort listen, TlsConfig tls, int ioThreads, Limits limits, boolean allowBodyOnGetHead,
                        List<String> trustedProxies, UnknownHost unknownHost, String defaultRoute, String via,
                        Duration shutdownTimeout) {
        this(listen, tls, ioThreads, limits, allowBodyOnGetHead, trustedProxies, unknownHost, defaultRoute, via,
                shutdownTimeout, true);
    }

    /**
     * Which I/O thread serves a new connection of the plain HTTP listener (the TLS listener always
     * takes XNIO's path, i.e. {@link #RANDOM}).
     */
    public enum ConnectionPlacement {
        /**
         * Cachalot's own accept loop: the I/O thread for the CPU that received the connection's
         * packets (Linux SO_INCOMING_CPU), unless that thread already holds clearly more than its
         * share; the least-loaded thread when the CPU is unknown.
         */
        INCOMING_CPU("incoming-cpu"),
        /** XNIO's own accept path: a random I/O thread per connection. */
        RANDOM("random");

        /** The value used when the key is absent. */
        public static final ConnectionPlacement DEFAULT = INCOMING_CPU;

        private final String configName;

        ConnectionPlacement(String configName) {
            this.configName = configName;
        }

        /** The spelling in the config file. */
        public String configName() {
            return configName;
        }

        static ConnectionPlacement parse(ConfigNode n, String key) {
            String value = n.string(key, DEFAULT.configName);
            for (ConnectionPlacement p : values()) {
                if (p.configName.equals(value)) {
                    return p;
                }
            }
            throw n.fail(key, value, "must be incoming-cpu or random");
        }
    }

    /** What an unknown Host gets when no default route exists. */
    public enum UnknownHost {
        /** 421 Misdirected Request (RFC 9110 §15.5.20). */
        MISDIRECTED(421),
        /** 404 Not Found. */
        NOT_FOUND(404);

        private final int status;

        UnknownHost(int status) {
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /**
     * TLS termination from PEM files.
     *
     * @param enabled     start the TLS listener
     * @param listen      TLS listener address
     * @param certificate PEM certificate chain file (leaf first)
     * @param privateKey  PEM private key file (PKCS#8, PKCS#1 RSA or SEC1 EC)
     * @param http2       offer HTTP/2 through ALPN
     */
    public record TlsConfig(boolean enabled, HostPort listen, String certificate, String privateKey, boolean http2) {
        static TlsConfig from(ConfigNode n) {
            boolean enabled = n.bool("enabled", false);
            HostPort listen = HostPort.read(n, "listen", "127.0.0.1:8443");
            String cert = n.string("certificate", "");
            String key = n.string("privateKey", "");
            boolean h2 = n.bool("http2", true);
            if (enabled && cert.isEmpty()) {
                throw n.fail("certificate", cert, "is required when tls.enabled is true");
            }
            if (enabled && key.isEmpty()) {
                throw n.fail("privateKey", key, "is required when tls.enabled is true");
            }
            n.finish();
            return new TlsConfig(enabled, listen, cert, key, h2);
        }
    }

    /**
     * Resource bounds. Over a bound the client gets an answer (503 with Retry-After, 431, 413),
     * never an unbounded queue.
     *
     * @param maxConnections        open client connections; more are answered 503 and closed
     * @param maxConcurrentRequests requests processed at once; more are answered 503 + Retry-After
     * @param maxRequestLineBytes   longest request line (414 above)
     * @param maxHeaderBytes        largest request header section (431 above)
     * @param maxHeaderCount        most header field lines (431 above)
     * @param maxRequestBodyBytes   largest request body (413 above); 0 for no limit
     * @param idleTimeout           an idle keep-alive connection is closed after this
     * @param readTimeout           a connection that sends nothing for this long mid-request is closed
     * @param retryAfter            Retry-After sent with 503 on overload
     */
    public record Limits(int maxConnections, int maxConcurrentRequests, int maxRequestLineBytes, int maxHeaderBytes,
                         int maxHeaderCount, long maxRequestBodyBytes, Duration idleTimeout, Duration readTimeout,
                         Duration retryAfter) {
        static Limits from(ConfigNode n) {
            Limits l = new Limits(
                    n.integer("maxConnections", 10_000, 1, 1_000_000),
                    n.integer("maxConcurrentRequests", 512, 1, 100_000),
                    n.integer("maxRequestLineBytes", 8192, 64, 1 << 20),
                    (int) n.size("maxHeaderBytes", 65536, 1024, 1 << 20),
                    n.integer("maxHeaderCount", 100, 1, 10_000),
                    n.size("maxRequestBodyBytes", 0, 0, Long.MAX_VALUE),
                    n.duration("idleTimeout", Duration.ofSeconds(60), Duration.ofMillis(100), Duration.ofHours(24)),
                    n.duration("readTimeout", Duration.ofSeconds(60), Duration.ofMillis(100), Duration.ofHours(24)),
                    n.duration("retryAfter", Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofHours(1)));
            n.finish();
            return l;
        }
    }

    static ServerConfig from(ConfigNode n) {
        HostPort listen = HostPort.read(n, "listen", "127.0.0.1:8080");
        TlsConfig tls = TlsConfig.from(n.section("tls"));
        int io = n.integer("ioThreads", 0, 0, 256);
        Limits limits = Limits.from(n.section("limits"));
        boolean body = n.bool("allowBodyOnGetHead", false);
        List<String> trusted = n.strings("trustedProxies", List.of());
        for (int i = 0; i < trusted.size(); i++) {
            if (!TrustedProxiesSyntax.valid(trusted.get(i))) {
                throw n.fail("trustedProxies[" + i + "]", trusted.get(i), "must be an IP address or CIDR block");
            }
        }
        String unknown = n.string("unknownHost", "misdirected");
        UnknownHost uh;
        switch (unknown) {
            case "misdirected": uh = UnknownHost.MISDIRECTED; break;
            case "not-found": uh = UnknownHost.NOT_FOUND; break;
            default: throw n.fail("unknownHost", unknown, "must be misdirected (421) or not-found (404)");
        }
        String dflt = n.string("defaultRoute", "default");
        String via = n.string("via", "cachalot");
        if (!via.matches("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+")) {
            throw n.fail("via", via, "must be a token (RFC 9110 §5.6.2)");
        }
        Duration shutdown = n.duration("shutdownTimeout", Duration.ofSeconds(30), Duration.ZERO, Duration.ofHours(1));
        boolean shortcut = n.bool("hitShortcut", true);
        ConnectionPlacement placement = ConnectionPlacement.parse(n, "connectionPlacement");
        int yieldEvery = n.integer("ioYieldEvery", DEFAULT_IO_YIELD_EVERY, 0, 1_000_000);
        n.finish();
        return new ServerConfig(listen, tls, io, limits, body, trusted, uh, dflt, via, shutdown, shortcut, placement,
                yieldEvery);
    }
}
