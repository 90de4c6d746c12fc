package dev.cachalot;

import dev.cachalot.config.CachalotConfig;
import dev.cachalot.config.RouteConfig;
import dev.cachalot.metrics.ProxyMetrics;
import dev.cachalot.origin.HttpOriginClient;
import dev.cachalot.origin.OriginClient;
import dev.cachalot.origin.OriginTarget;
import dev.cachalot.origin.ProxyHeaders;
import dev.cachalot.origin.TrustedProxies;
import dev.cachalot.server.AdminEndpoints;
import dev.cachalot.server.AdminServer;
import dev.cachalot.server.ExchangeListener;
import dev.cachalot.server.PassThroughProcessor;
import dev.cachalot.server.ProxyServer;
import dev.cachalot.server.RequestProcessor;
import dev.cachalot.server.TlsContexts;
import dev.cachalot.server.VirtualHosts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * A running Cachalot: origin client, proxy listeners and admin listener, built from one
 * configuration. {@code Main} runs one; tests start one in-process on port 0 and ask for the ports.
 */
public final class Cachalot implements AutoCloseable {
    /** Builds what answers requests from the shared parts (the pass-through proxy by default). */
    @FunctionalInterface
    public interface ProcessorFactory {
        RequestProcessor create(OriginClient origin, ProxyHeaders headers, ProxyMetrics metrics);
    }

    private final CachalotConfig config;
    private final OriginClient origin;
    private final ProxyServer server;
    private final AdminServer admin;
    private volatile boolean ready;

    private Cachalot(CachalotConfig config, OriginClient origin, ProxyServer server, AdminServer admin) {
        this.config = config;
        this.origin = origin;
        this.server = server;
        this.admin = admin;
    }

    /** Starts with the pass-through proxy, no metrics, no access log and the basic admin endpoints. */
    public static Cachalot start(CachalotConfig config) throws IOException, GeneralSecurityException {
        return builder(config).start();
    }

    public static Builder builder(CachalotConfig config) {
        return new Builder(config);
    }

    /** Port of the plain listener. */
    public int port() {
        return server.plainAddress().getPort();
    }

    /** Port of the TLS listener, or -1. */
    public int tlsPort() {
        InetSocketAddress a = server.tlsAddress();
        return a == null ? -1 : a.getPort();
    }

    /** Port of the admin listener, or -1 when disabled. */
    public int adminPort() {
        return admin == null ? -1 : admin.address().getPort();
    }

    /** The origin connection pool numbers (for the metrics side to poll). */
    public OriginClient.PoolStats originPoolStats() {
        return origin.poolStats();
    }

    public CachalotConfig config() {
        return config;
    }

    /** Graceful stop: drain up to the configured shutdown timeout. */
    @Override
    public void close() {
        stop();
    }

    /** Graceful stop; returns true when all in-flight requests finished in time. */
    public boolean stop() {
        ready = false;
        boolean drained = server.shutdown(config.server().shutdownTimeout());
        if (admin != null) {
            admin.close();
        }
        origin.close();
        return drained;
    }

    /** Options for {@link Cachalot}; everything has a default. */
    public static final class Builder {
        private final CachalotConfig config;
        private ProxyMetrics metrics = ProxyMetrics.noop();
        private ExchangeListener listener = ExchangeListener.none();
        private AdminEndpoints adminEndpoints = AdminServer.basic();
        private ProcessorFactory processor = PassThroughProcessor::new;
        private Clock clock = Clock.systemUTC();

        private Builder(CachalotConfig config) {
            this.config = config;
        }

        public Builder metrics(ProxyMetrics m) {
            this.metrics = m;
            return this;
        }

        /** The access-log seam: one record per exchange. */
        public Builder exchangeListener(ExchangeListener l) {
            this.listener = l;
            return this;
        }

        public Builder adminEndpoints(AdminEndpoints a) {
            this.adminEndpoints = a;
            return this;
        }

        public Builder processor(ProcessorFactory p) {
            this.processor = p;
            return this;
        }

        public Builder clock(Clock c) {
            this.clock = c;
            return this;
        }

        public Cachalot start() throws IOException, GeneralSecurityException {
            SSLContext tls = null;
            if (config.server().tls().enabled()) {
                tls = TlsContexts.fromPem(Path.of(config.server().tls().certificate()),
                        Path.of(config.server().tls().privateKey()));
            }
            List<VirtualHosts.Route> routes = new ArrayList<>();
            for (RouteConfig r : config.routes()) {
                routes.add(new VirtualHosts.Route(OriginTarget.parse(r.name(), r.origin(),
                        r.hostHeader().isEmpty() ? null : r.hostHeader()), r.hosts()));
            }
            VirtualHosts hosts = new VirtualHosts(routes, config.server().defaultRoute());
            ProxyHeaders headers = new ProxyHeaders(config.server().via(),
                    new TrustedProxies(config.server().trustedProxies()));
            OriginClient origin = new HttpOriginClient(config.origin());
            RequestProcessor p = processor.create(origin, headers, metrics);
            ProxyServer server = new ProxyServer(config.server(), p, hosts, headers, metrics, listener, clock);
            AdminServer admin = null;
            Cachalot[] self = new Cachalot[1];
            try {
                server.start(tls);
                if (config.admin().enabled()) {
                    AdminEndpoints.ProxyState state = new AdminEndpoints.ProxyState() {
                        @Override
                        public boolean ready() {
                            return self[0] != null && self[0].ready;
                        }

                        @Override
                        public int inFlight() {
                            return server.inFlight();
                        }

                        @Override
                        public int openConnections() {
                            return server.openConnections();
                        }

                        @Override
                        public OriginClient.PoolStats originPool() {
                            return origin.poolStats();
                        }
                    };
                    admin = new AdminServer(config.admin().listen(), adminEndpoints.handler(state));
                    admin.start();
                }
            } catch (IOException | RuntimeException e) {
                server.close();
                if (admin != null) {
                    admin.close();
                }
                origin.close();
                throw e;
            }
            Cachalot c = new Cachalot(config, origin, server, admin);
            self[0] = c;
            c.ready = true;
            return c;
        }
    }
}
