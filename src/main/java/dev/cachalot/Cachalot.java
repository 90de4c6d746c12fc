package dev.cachalot;

import dev.cachalot.accesslog.AccessLog;
import dev.cachalot.accesslog.AccessLogFormat;
import dev.cachalot.admin.AdminHandler;
import dev.cachalot.admin.AdminRoutes;
import dev.cachalot.admin.Readiness;
import dev.cachalot.admin.StandardEndpoints;
import dev.cachalot.config.CachalotConfig;
import dev.cachalot.config.RouteConfig;
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
    private final AdminServer admin;
    private final List<AutoCloseable> afterDrain;
    /** Why the proxy is not ready, or null while it serves: "starting" until started, then "draining". */
    private volatile String notReady = "starting";
    private final AtomicBoolean stopped = new AtomicBoolean();
    private volatile boolean drained;

    private Cachalot(CachalotConfig config, OriginClient origin, ProxyServer server, AdminServer admin,
                     List<AutoCloseable> afterDrain) {
        this.config = config;
        this.origin = origin;
        this.server = server;
        this.admin = admin;
        this.afterDrain = afterDrain;
    }

    /**
     * Starts the whole cache from one configuration: the two-tier store, the caching pipeline (or
     * the pass-through proxy when {@code cache.enabled} is false), metrics, the access log and the
     * admin endpoints. Everything reads time from {@code clock}. This is what {@code Main} runs.
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
        TieredCacheStore store = null;
        ExecutorService background = null;
        try {
            if (config.cache().enabled()) {
                TieredCacheStore st = TieredCacheStore.open(config.store(), clock);
                store = st;
                ExecutorService bg = CachingPipeline.newBackgroundExecutor(config.pipeline());
                background = bg;
                AtomicReference<CachingPipeline> pipeline = new AtomicReference<>();
                b.processor((origin, headers, m) -> {
                    CachingPipeline p = new CachingPipeline(st, st.memoryTier(), origin, headers,
                            config.cache().policy(), config::overridesFor, config.pipeline(), clock, m, bg);
                    pipeline.set(p);
                    return p;
                });
                stats.section("store", st::stats);
                stats.section("pipeline", () -> pipeline.get().stats());
                registerStoreGauges(metrics, st);
                registerPipelineGauges(metrics, pipeline);
                // SIGTERM order after the drain: background revalidation, then the store (flushes, marks a
                // clean shutdown), then metrics.
                b.afterDrain(bg::shutdownNow).afterDrain(st);
            }
            b.afterDrain(metrics);
            Optional<String> token = config.admin().token().isEmpty() ? Optional.empty()
                    : Optional.of(config.admin().token());
            b.adminEndpoints(state -> new AdminHandler(StandardEndpoints.register(new AdminRoutes(),
                    () -> state.ready() ? Readiness.ok() : Readiness.notReady(state.notReadyReason()),
                    metrics.prometheus(), stats), token));
            Cachalot c = b.start();
            metrics.registerOriginPool("origin", () -> {
                OriginClient.PoolStats p = c.originPoolStats();
                return new PoolStats(p.leased(), p.available(), p.pending(), p.max());
            });
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
     * in-flight requests get up to {@code server.shutdownTimeout}, then the after-drain resources
     * are closed in order (background executor, store, metrics), then the admin listener and the
     * origin client. Returns true when all in-flight requests finished in time. Idempotent.
     */
    public boolean stop() {
        if (!stopped.compareAndSet(false, true)) {
            return drained;
        }
        notReady = "draining";
        drained = server.shutdown(config.server().shutdownTimeout());
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
                if (admin != null) {
                    admin.close();
                }
                origin.close();
                throw e;
            }
            Cachalot c = new Cachalot(config, origin, server, admin, List.copyOf(afterDrain));
            self[0] = c;
            c.notReady = null; // listeners are up: ready
            return c;
        }
    }
}
