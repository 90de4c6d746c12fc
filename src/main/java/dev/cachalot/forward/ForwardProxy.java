package dev.cachalot.forward;

import dev.cachalot.config.ServerConfig;
import dev.cachalot.metrics.ForwardMetrics;
import dev.cachalot.metrics.ProxyMetrics;
import dev.cachalot.origin.ProxyHeaders;
import dev.cachalot.server.ExchangeListener;
import dev.cachalot.server.ProxyServer;
import dev.cachalot.server.RequestProcessor;
import java.io.IOException;
import java.time.Clock;

/**
 * Builds the forward-proxy mode from a {@link ForwardConfig}: the gate (ACL, auth, rules), the
 * guarded resolver, the DNS hook for the origin client, the request processor wrapper and the
 * CONNECT tunnels, and finally the listener. Wiring (in {@code Cachalot}):
 * <pre>{@code
 * ForwardProxy fp = ForwardProxy.create(forwardConfig);
 * OriginClient guardedClient = new HttpOriginClient(config.origin(), fp.dnsResolver());
 * RequestProcessor inner = processorFactory.create(guardedClient, proxyHeaders, metrics); // shared cache
 * ProxyServer fwd = fp.server(config.server(), inner, proxyHeaders, metrics, accessLog, clock);
 * fwd.start(null);
 * }</pre>
 */
public final class ForwardProxy {
    private final ForwardConfig config;
    private final GuardedResolver resolver;
    private final ForwardGate gate;
    private final ForwardTunnels tunnels;
    private final ForwardMetrics metrics;

    private ForwardProxy(ForwardConfig config, DestinationResolver dns, SocketConnector connector,
                         ForwardMetrics metrics) throws IOException {
        this.config = config;
        this.metrics = metrics;
        this.resolver = new GuardedResolver(dns, config.guard());
        ProxyAuthenticator auth = config.credentials() == null ? null : ProxyAuthenticator.load(config.credentials());
        this.gate = new ForwardGate(config.clientAcl(), auth, config.destinationRules(), config.realm(), metrics);
        this.tunnels = new ForwardTunnels(gate, resolver, connector, config, metrics);
    }

    /** Forward mode with the system resolver and plain TCP connections. */
    public static ForwardProxy create(ForwardConfig config) throws IOException {
        return create(config, DestinationResolver.system(), SocketConnector.plain());
    }

    /** Forward mode with the system resolver and plain TCP connections, its decisions counted in {@code metrics}. */
    public static ForwardProxy create(ForwardConfig config, ForwardMetrics metrics) throws IOException {
        return create(config, DestinationResolver.system(), SocketConnector.plain(), metrics);
    }

    /**
     * Forward mode with a given resolver and connector (tests: a fake resolver, a counting connector).
     *
     * @throws IOException              when the credentials file cannot be read
     * @throws IllegalArgumentException when the credentials file is invalid (names the file and line)
     */
    public static ForwardProxy create(ForwardConfig config, DestinationResolver dns, SocketConnector connector)
            throws IOException {
        return new ForwardProxy(config, dns, connector, ForwardMetrics.noop());
    }

    /** As above, with the forward metrics (refusals, tunnels, tunnelled bytes) counted in {@code metrics}. */
    public static ForwardProxy create(ForwardConfig config, DestinationResolver dns, SocketConnector connector,
                                      ForwardMetrics metrics) throws IOException {
        return new ForwardProxy(config, dns, connector, metrics);
    }

    /** The HttpClient DNS hook the forward origin client must use (connects only to checked addresses). */
    public GuardedDnsResolver dnsResolver() {
        return new GuardedDnsResolver(resolver);
    }

    /** Wraps the shared processor with the forward checks. */
    public RequestProcessor processor(RequestProcessor inner) {
        return new ForwardProcessor(gate, resolver, inner, metrics);
    }

    /** The CONNECT tunnels. */
    public ForwardTunnels tunnels() {
        return tunnels;
    }

    /** The forward listener (not started) on {@code forward.listen}, sharing the server limits. */
    public ProxyServer server(ServerConfig base, RequestProcessor inner, ProxyHeaders headers, ProxyMetrics metrics,
                              ExchangeListener listener, Clock clock) {
        if (!config.enabled()) {
            throw new IllegalStateException("forward.listen is not set");
        }
        return ProxyServer.forward(base, config.listen(), processor(inner), headers, metrics, listener, clock,
                tunnels);
    }

    public ForwardConfig config() {
        return config;
    }
}
