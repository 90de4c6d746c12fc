package dev.cachalot;

import dev.cachalot.accesslog.AccessLog;
import dev.cachalot.accesslog.AccessLogFormat;
import dev.cachalot.admin.AdminHandler;
import dev.cachalot.admin.AdminRoutes;
import dev.cachalot.admin.Readiness;
import dev.cachalot.admin.StandardEndpoints;
import dev.cachalot.config.CachalotConfig;
import dev.cachalot.config.RouteConfig;
import dev.cachalot.forward.ForwardProxy;
import dev.cachalot.metrics.DropwizardProxyMetrics;
import dev.cachalot.metrics.MetricNames;
import dev.cachalot.metrics.MetricsOptions;
import dev.cachalot.metrics.PoolStats;
import dev.cachalot.metrics.ProxyMetrics;
import dev.cachalot.origin.HttpOriginClient;
import dev.cachalot.origin.OriginClient;
import dev.cachalot.origin.OriginTarget;
import dev.cachalot.origin.ProxyHeaders;
import dev.cachalot.origin.TrustedProxies;
import dev.cachalot.pipeline.CachingPipeline;
import dev.cachalot.policy.RouteOverrides;
import dev.cachalot.purge.PurgeEndpoints;
import dev.cachalot.purge.PurgeMethodProcessor;
import dev.cachalot.purge.PurgeService;
import dev.cachalot.server.AdminEndpoints;
import dev.cachalot.server.AdminServer;
import dev.cachalot.server.ExchangeListener;
import dev.cachalot.server.PassThroughProcessor;
import dev.cachalot.server.ProxyServer;
import dev.cachalot.server.RequestProcessor;
import dev.cachalot.server.TlsContexts;
import dev.cachalot.server.VirtualHosts;
import dev.cachalot.store.StoreStats;
import dev.cachalot.store.TierStats;
import dev.cachalot.store.TieredCacheStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import org.slf4j.LoggerFactory;

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
    /** The forward-proxy listener and its guarded origin client, or both null when forward mode is off. */
    private final ProxyServer forwardServer;
    private final OriginClient forwardOrigin;
    private final AdminServer admin;
    private final List<AutoCloseable> afterDrain;
    /** Why the proxy is not ready, or null while it serves: "starting" until started, then "draining". */
    private volatile String notReady = "starting";
    private final AtomicBoolean stopped = new AtomicBoolean();
    private volatile boolean drained;

    private Cachalot(CachalotConfig config, OriginClient origin, ProxyServer server, ProxyServer forwardServer,
                     OriginClient forwardOrigin, AdminServer admin, List<AutoCloseable> afterDrain) {
        this.config = config;
        this.origin = origin;
        this.server = server;
        this.forwardServer = forwardServer;
        this.forwardOrigin = forwardOrigin;
        this.admin = admin;
        this.afterDrain = afterDrain;
    }

    /**
     * Starts the whole cache from one configuration: the two-tier store, the caching pipeline (or
     * the pass-through proxy when {@code cache.enabled} is false), metrics, the access log and the
     * admin endpoints. Everything reads time from {@code clock}. This is what {@code Main} runs.
     *
     * <p>Purge: with a store, a {@link PurgeService} over it backs the admin {@code POST /purge} and
     * the {@code PURGE} method. The processor is always wrapped by {@link PurgeMethodProcessor#wrap}
     * (also with {@code purge.enabled: false}, and in pass-through mode), so {@code PURGE} is answered
     * here ({@code 405} when disabled or when there is no store) and never forwarded to an origin, and
     * the tag fields are stripped from client responses. Without a store there is nothing to purge:
     * no purge service, no {@code /purge} endpoint (404), {@code PURGE} 405.
     */
    public static Cachalot open(CachalotConfig config, Clock clock) throws IOException, GeneralSecurityException {
        Instant startedAt = clock.instant();
        DropwizardProxyMetrics metrics = new DropwizardProxyMetrics(MetricsOptions.defaults()
                .withJvmMetrics(config.metrics().jvm()).withJmxReporter(config.metrics().jmx()));
        ProxyMetrics recorded = config.accessLog().enabled()
                ? new AccessLog(AccessLogFormat.of(config.accessLog().format())).andThen(metrics) : metrics;
        StandardEndpoints.StatsDocument stats = new StandardEndpoints.StatsDocument(clock, startedAt,
                metrics::statsSnapshot);
        Builder b = builder(config).clock(clock).metrics(recorded);
        // A purge by URL applies the overrides of the route the front end's virtual-host table picks for
        // the URL's host, exactly as the pipeline does for a request to that host.
        VirtualHosts hosts = virtualHosts(config);
        Function<String, RouteOverrides> overridesByAuthority = authority -> {
            OriginTarget t = hosts.resolve(authority);
            return t == null ? RouteOverrides.NONE : config.overridesFor(t.route());
        };
        PurgeService purge = null;
        TieredCacheStore store = null;
        ExecutorService background = null;
        try {
            if (config.cache().enabled()) {
                TieredCacheStore st = TieredCacheStore.open(config.store(), clock);
                store = st;
                ExecutorService bg = CachingPipeline.newBackgroundExecutor(config.pipeline());
                background = bg;
                AtomicReference<CachingPipeline> pipeline = new AtomicReference<>();
                PurgeService ps = new PurgeService(st, config.cache().policy(), overridesByAuthority, clock);
                purge = ps;
                // Called once per listener (reverse, and forward when enabled): each gets its own pipeline
                // over the one store (a shared cache); /stats and the gauges show the reverse listener's.
                b.processor((origin, headers, m) -> {
                    CachingPipeline p = new CachingPipeline(st, st.memoryTier(), origin, headers,
                            config.cache().policy(), config::overridesFor, config.pipeline(), clock, m, bg);
                    pipeline.compareAndSet(null, p);
                    return PurgeMethodProcessor.wrap(p, ps, config.purge(), config::overridesFor);
                });
                stats.section("store", st::stats);
                stats.section("pipeline", () -> pipeline.get().stats());
                registerStoreGauges(metrics, st);
                registerPipelineGauges(metrics, pipeline);
                // SIGTERM order after the drain: background revalidation, then the store (flushes, marks a
                // clean shutdown), then metrics.
                b.afterDrain(bg::shutdownNow).afterDrain(st);
            } else {
                // Pass-through: no store, so no purge service; PURGE still answered here (405), never forwarded.
                b.processor((origin, headers, m) -> PurgeMethodProcessor.wrap(new PassThroughProcessor(origin,
                        headers, m), null, config.purge(), config::overridesFor));
            }
            b.afterDrain(metrics);
            Optional<String> token = config.admin().token().isEmpty() ? Optional.empty()
                    : Optional.of(config.admin().token());
            PurgeService adminPurge = purge;
            b.adminEndpoints(state -> {
                AdminRoutes routes = StandardEndpoints.register(new AdminRoutes(),
                        () -> state.ready() ? Readiness.ok() : Readiness.notReady(state.notReadyReason()),
                        metrics.prometheus(), stats);
                if (adminPurge != null) {
                    PurgeEndpoints.register(routes, adminPurge);
                }
                return new AdminHandler(routes, token);
            });
            Cachalot c = b.start();
            metrics.registerOriginPool("origin", () -> {
                OriginClient.PoolStats p = c.originPoolStats();
                return new PoolStats(p.leased(), p.available(), p.pending(), p.max());
            });
            if (c.forwardOrigin != null) {
                metrics.registerOriginPool("forward", () -> {
                    OriginClient.PoolStats p = c.forwardOrigin.poolStats();
                    return new PoolStats(p.leased(), p.available(), p.pending(), p.max());
                });
            }
            return c;
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            if (background != null) {
                background.shutdownNow();
            }
            if (store != null) {
                store.close();
            }
            metrics.close();
            throw e;
        }
    }

    private static void registerStoreGauges(DropwizardProxyMetrics metrics, TieredCacheStore store) {
        Map<String, Function<StoreStats, TierStats>> tiers = Map.of("memory", StoreStats::memory, "disk",
                StoreStats::disk);
        tiers.forEach((tier, of) -> {
            List<String> label = List.of(tier);
            metrics.registerGauge(MetricNames.STORE_ENTRIES, label, () -> of.apply(store.stats()).entries());
            metrics.registerGauge(MetricNames.STORE_BYTES, label, () -> of.apply(store.stats()).bytes());
            metrics.registerGauge(MetricNames.STORE_HITS, label, () -> of.apply(store.stats()).hits());
            metrics.registerGauge(MetricNames.STORE_MISSES, label, () -> of.apply(store.stats()).misses());
            metrics.registerGauge(MetricNames.STORE_EVICTIONS, label, () -> of.apply(store.stats()).evictions());
            metrics.registerGauge(MetricNames.STORE_CORRUPTIONS, label, () -> of.apply(store.stats()).corruptions());
            metrics.registerGauge(MetricNames.STORE_FAILURES, label, () -> of.apply(store.stats()).failures());
        });
    }

    private static void registerPipelineGauges(DropwizardProxyMetrics metrics,
                                               AtomicReference<CachingPipeline> pipeline) {
        metrics.registerGauge(MetricNames.PIPELINE_IN_FLIGHT, List.of(), () -> pipeline.get().stats().inFlight());
        metrics.registerGauge(MetricNames.PIPELINE_FOLLOWERS, List.of(),
                () -> pipeline.get().stats().followersJoined());
        metrics.registerGauge(MetricNames.PIPELINE_BACKGROUND_REVALIDATIONS, List.of(),
                () -> pipeline.get().stats().backgroundStarted());
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

    /** Port of the forward-proxy listener, or -1 when forward mode is off ({@code forward.listen} unset). */
    public int forwardPort() {
        return forwardServer == null ? -1 : forwardServer.plainAddress().getPort();
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

    /**
     * Graceful stop (SIGTERM): readiness becomes not-ready ("draining"), the listeners stop accepting,
     * in-flight requests get up to {@code server.shutdownTimeout} (the forward listener drains at the
     * same time, within the same timeout), then the after-drain resources are closed in order
     * (background executor, store, metrics), then the admin listener and the origin clients (the
     * forward one after its listener). Returns true when all in-flight requests finished in time.
     * Idempotent.
     */
    public boolean stop() {
        if (!stopped.compareAndSet(false, true)) {
            return drained;
        }
        notReady = "draining";
        CompletableFuture<Boolean> forwardDrained = forwardServer == null ? CompletableFuture.completedFuture(true)
                : CompletableFuture.supplyAsync(() -> forwardServer.shutdown(config.server().shutdownTimeout()));
        boolean reverseDrained = server.shutdown(config.server().shutdownTimeout());
        drained = forwardDrained.join() && reverseDrained;
        // Only now, with both listeners closed, may the shared store and the origin clients go.
        for (AutoCloseable r : afterDrain) {
            try {
                r.close();
            } catch (Exception e) {
                LoggerFactory.getLogger(Cachalot.class).warn("closing {} failed", r, e);
            }
        }
        if (admin != null) {
            admin.close();
        }
        if (forwardOrigin != null) {
            forwardOrigin.close();
        }
        origin.close();
        return drained;
    }

    /** The front end's virtual-host table for the configured routes. */
    static VirtualHosts virtualHosts(CachalotConfig config) {
        List<VirtualHosts.Route> routes = new ArrayList<>();
        for (RouteConfig r : config.routes()) {
            routes.add(new VirtualHosts.Route(OriginTarget.parse(r.name(), r.origin(),
                    r.hostHeader().isEmpty() ? null : r.hostHeader()), r.hosts()));
        }
        return new VirtualHosts(routes, config.server().defaultRoute());
    }

    /** Options for {@link Cachalot}; everything has a default. */
    public static final class Builder {
        private final CachalotConfig config;
        private ProxyMetrics metrics = ProxyMetrics.noop();
        private ExchangeListener listener = ExchangeListener.none();
        private AdminEndpoints adminEndpoints = AdminServer.basic();
        private ProcessorFactory processor = PassThroughProcessor::new;
        private Clock clock = Clock.systemUTC();
        private final List<AutoCloseable> afterDrain = new ArrayList<>();

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

        /** A resource closed by {@link Cachalot#stop()} after the drain, in the order added. */
        public Builder afterDrain(AutoCloseable resource) {
            this.afterDrain.add(resource);
            return this;
        }

        public Cachalot start() throws IOException, GeneralSecurityException {
            SSLContext tls = null;
            if (config.server().tls().enabled()) {
                tls = TlsContexts.fromPem(Path.of(config.server().tls().certificate()),
                        Path.of(config.server().tls().privateKey()));
            }
            VirtualHosts hosts = virtualHosts(config);
            ProxyHeaders headers = new ProxyHeaders(config.server().via(),
                    new TrustedProxies(config.server().trustedProxies()), config.purge().clientHiddenFields());
            OriginClient origin = new HttpOriginClient(config.origin());
            RequestProcessor p = processor.create(origin, headers, metrics);
            ProxyServer server = new ProxyServer(config.server(), p, hosts, headers, metrics, listener, clock);
            AdminServer admin = null;
            ProxyServer forwardServer = null;
            OriginClient forwardOrigin = null;
            Cachalot[] self = new Cachalot[1];
            try {
                server.start(tls);
                if (config.forward().enabled()) {
                    // forward-proxy.md, "Wiring": a SEPARATE origin client whose connections go only to
                    // addresses the guard checked (the reverse client would bypass it), and the processor
                    // from the same factory (with a store: the same shared cache).
                    ForwardProxy fp = ForwardProxy.create(config.forward());
                    forwardOrigin = new HttpOriginClient(config.origin(), fp.dnsResolver());
                    RequestProcessor inner = processor.create(forwardOrigin, headers, metrics);
                    forwardServer = fp.server(config.server(), inner, headers, metrics, listener, clock);
                    forwardServer.start(null); // plain HTTP/1.1 only
                }
                if (config.admin().enabled()) {
                    AdminEndpoints.ProxyState state = new AdminEndpoints.ProxyState() {
                        @Override
                        public boolean ready() {
                            return notReadyReason() == null;
                        }

                        @Override
                        public String notReadyReason() {
                            return self[0] == null ? "starting" : self[0].notReady;
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
                if (forwardServer != null) {
                    forwardServer.close();
                }
                if (admin != null) {
                    admin.close();
                }
                if (forwardOrigin != null) {
                    forwardOrigin.close();
                }
                origin.close();
                throw e;
            }
            Cachalot c = new Cachalot(config, origin, server, forwardServer, forwardOrigin, admin,
                    List.copyOf(afterDrain));
            self[0] = c;
            c.notReady = null; // listeners are up: ready
            return c;
        }
    }
}
