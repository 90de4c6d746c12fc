package dev.cachalot;

import dev.cachalot.accesslog.AccessLog;
import dev.cachalot.accesslog.AccessLogFormat;
import dev.cachalot.admin.AdminHandler;
import dev.cachalot.admin.AdminResponse;
import dev.cachalot.admin.AdminRoute;
import dev.cachalot.admin.AdminRoutes;
import dev.cachalot.admin.Readiness;
import dev.cachalot.admin.StandardEndpoints;
import dev.cachalot.config.CachalotConfig;
import dev.cachalot.config.RouteConfig;
import dev.cachalot.forward.ForwardCacheRules;
import dev.cachalot.forward.ForwardProxy;
import dev.cachalot.metrics.DropwizardProxyMetrics;
import dev.cachalot.metrics.ForwardMetrics;
import dev.cachalot.metrics.MetricNames;
import dev.cachalot.metrics.MetricsOptions;
import dev.cachalot.metrics.PoolStats;
import dev.cachalot.metrics.ProxyMetrics;
import dev.cachalot.origin.HttpOriginClient;
import dev.cachalot.origin.OriginClient;
import dev.cachalot.origin.OriginTarget;
import dev.cachalot.origin.ProxyHeaders;
import dev.cachalot.origin.TrustedProxies;
import dev.cachalot.origin.pool.PoolGauges;
import dev.cachalot.origin.pool.PooledOriginClient;
import dev.cachalot.origin.pool.PoolsView;
import dev.cachalot.pipeline.CachingPipeline;
import dev.cachalot.policy.RouteOverrides;
import dev.cachalot.purge.BanList;
import dev.cachalot.purge.BanSweeper;
import dev.cachalot.purge.PurgeEndpoints;
import dev.cachalot.purge.PurgeMode;
import dev.cachalot.purge.PurgeMethodProcessor;
import dev.cachalot.purge.PurgeService;
import dev.cachalot.ratelimit.RateLimitConfig;
import dev.cachalot.ratelimit.RateLimitGate;
import dev.cachalot.ratelimit.RateLimiter;
import dev.cachalot.ratelimit.RateLimitingProcessor;
import dev.cachalot.reload.ConfigReloader;
import dev.cachalot.reload.ReloadEndpoint;
import dev.cachalot.reload.ReloadResult;
import dev.cachalot.reload.Reloadable;
import dev.cachalot.reload.SwitchableMetrics;
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
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;
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
    /** The virtual-host table and header rewriting the listeners use (reload swaps their contents). */
    private final VirtualHosts hosts;
    private final ProxyHeaders proxyHeaders;
    /** Set by {@link #open(CachalotConfig, Clock, Supplier)} when the configuration can be reloaded. */
    private volatile ConfigReloader reloader;

    private Cachalot(CachalotConfig config, OriginClient origin, ProxyServer server, ProxyServer forwardServer,
                     OriginClient forwardOrigin, AdminServer admin, List<AutoCloseable> afterDrain,
                     VirtualHosts hosts, ProxyHeaders proxyHeaders) {
        this.hosts = hosts;
        this.proxyHeaders = proxyHeaders;
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
        return open(config, clock, null);
    }

    /**
     * Like {@link #open(CachalotConfig, Clock)}, reloadable: {@code reloadSource} loads the
     * configuration again (the same file and flags; it throws {@code ConfigException} for a bad
     * one) for {@link #reload} and the admin {@code POST /reload}. Null: not reloadable.
     *
     * <p>Rate limits ({@code rateLimits}): a {@link RateLimitingProcessor} wraps the pipeline (or the
     * pass-through proxy) inside the PURGE decorator; with {@code exemptHits} the pipeline charges a
     * request only after its lookup, through {@link RateLimitGate#originAdmission()}.
     */
    public static Cachalot open(CachalotConfig config, Clock clock, Supplier<CachalotConfig> reloadSource)
            throws IOException, GeneralSecurityException {
        Instant startedAt = clock.instant();
        DropwizardProxyMetrics metrics = new DropwizardProxyMetrics(MetricsOptions.defaults()
                .withJvmMetrics(config.metrics().jvm()).withJmxReporter(config.metrics().jmx()));
        // The access log sits behind a switch so a reload can turn it on or off or change its format.
        SwitchableMetrics recorded = new SwitchableMetrics(withAccessLog(config, metrics));
        StandardEndpoints.StatsDocument stats = new StandardEndpoints.StatsDocument(clock, startedAt,
                metrics::statsSnapshot);
        // The configuration in force: what per-request readers (route overrides) consult; a reload swaps it.
        AtomicReference<CachalotConfig> live = new AtomicReference<>(config);
        Function<String, RouteOverrides> overridesByRoute = name -> live.get().overridesFor(name);
        VirtualHosts hosts = virtualHosts(config);
        ProxyHeaders proxyHeaders = new ProxyHeaders(config.server().via(),
                new TrustedProxies(config.server().trustedProxies()), config.purge().clientHiddenFields());
        RateLimiter limiter = new RateLimiter(config.rateLimits(), RateLimiter.tickerOf(clock));
        RateLimitGate gate = new RateLimitGate(limiter, recorded);
        AtomicReference<ConfigReloader> reloaderRef = new AtomicReference<>();
        Builder b = builder(config).clock(clock).metrics(recorded).virtualHosts(hosts).proxyHeaders(proxyHeaders)
                .forwardMetrics(metrics.forward());
        // A purge by URL applies the overrides of the route the front end's virtual-host table picks for
        // the URL's host, exactly as the pipeline does for a request to that host.
        Function<String, RouteOverrides> overridesByAuthority = authority -> {
            OriginTarget t = hosts.resolve(authority);
            return t == null ? RouteOverrides.NONE : overridesByRoute.apply(t.route());
        };
        PurgeService purge = null;
        TieredCacheStore store = null;
        ExecutorService background = null;
        PooledOriginClient originPools = null;
        try {
            if (config.cache().enabled()) {
                TieredCacheStore st = TieredCacheStore.open(config.store(), clock);
                store = st;
                ExecutorService bg = CachingPipeline.newBackgroundExecutor(config.pipeline());
                background = bg;
                AtomicReference<CachingPipeline> pipeline = new AtomicReference<>();
                // Purge by tag/prefix/host: bans persisted next to the disk tier (in memory for a
                // memory-only store), checked by the pipeline, applied in the background.
                BanList bans = config.store().diskEnabled() ? BanList.open(config.store().directory(), clock)
                        : BanList.inMemory(clock);
                // A purge of a mirror URL also purges the key its forward.storeIds rule shares (docs/forward-proxy.md).
                PurgeService ps = new PurgeService(st, config.cache().policy(), overridesByAuthority, clock, bans,
                        config.purge().tagHeaders(), config.forward().cacheRules(), ForwardCacheRules.ROUTE);
                purge = ps;
                BanSweeper sweeper = ps.sweeper().start(PurgeService.SWEEP_INTERVAL);
                // Called once per listener (reverse, and forward when enabled): each gets its own pipeline
                // over the one store (a shared cache); /stats and the gauges show the reverse listener's.
                b.processor((origin, headers, m) -> {
                    // forward.storeIds / forward.cacheRules apply to forward-listener requests only (by route).
                    CachingPipeline p = new CachingPipeline(st, st.ioThreadStore(), origin, headers,
                            config.cache().policy(), overridesByRoute,
                            config.forward().cacheRules().counting(metrics.forward()),
                            config.pipeline(), clock, m, bg, gate.originAdmission(), ps.gate());
                    pipeline.compareAndSet(null, p);
                    return PurgeMethodProcessor.wrap(new RateLimitingProcessor(p, gate, true), ps, config.purge(),
                            overridesByRoute);
                });
                stats.section("store", st::stats);
                st.diskTier().ifPresent(d -> stats.section("diskLeases", d::leaseStats)); // cache-store.md, "Leases"
                stats.section("pipeline", () -> pipeline.get().stats());
                registerStoreGauges(metrics, st);
                registerPipelineGauges(metrics, pipeline);
                stats.section("purge", ps::stats);
                registerPurgeGauges(metrics, ps);
                // SIGTERM order after the drain: background revalidation, then the store (flushes, marks a
                // clean shutdown), then metrics.
                b.afterDrain(bg::shutdownNow).afterDrain(sweeper).afterDrain(st);
            } else {
                // Pass-through: no store, so no purge service; PURGE still answered here (405), never forwarded.
                b.processor((origin, headers, m) -> PurgeMethodProcessor.wrap(new RateLimitingProcessor(
                        new PassThroughProcessor(origin, headers, m), gate, false), null, config.purge(),
                        overridesByRoute));
            }
            // Origin pools (docs/operations.md, "Origin pools"): every route's servers behind one client, with
            // health checks on the process clock; gauges per server and GET /pools on the admin listener.
            PooledOriginClient pools = PooledOriginClient.create(config.routes(), config.origin(), clock);
            originPools = pools;
            b.origin(pools);
            PoolGauges.register(metrics, pools.pools(), clock);
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
                routes.add(AdminRoute.get("/pools", "origin pools: every server's state, load, failures and last check",
                        request -> AdminResponse.json(200, PoolsView.of(pools.pools(), clock.instant()))));
                if (reloadSource != null) {
                    ReloadEndpoint.register(routes, reloaderRef::get);
                }
                return new AdminHandler(routes, token);
            });
            stats.section("rateLimits", () -> rateLimitStats(limiter));
            registerRateLimitGauges(metrics, limiter);
            Cachalot c = b.start();
            if (reloadSource != null) {
                ConfigReloader r = new ConfigReloader(reloadSource, live,
                        reloadables(hosts, proxyHeaders, recorded, metrics, limiter, pools, clock));
                metrics.registerGauge(MetricNames.CONFIG_RELOADS, List.of("applied"), r::appliedCount);
                metrics.registerGauge(MetricNames.CONFIG_RELOADS, List.of("rejected"), r::rejectedCount);
                reloaderRef.set(r);
                c.reloader = r;
            }
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
            // Clean-up failures are attached to the start-up failure, never thrown instead of it: the
            // operator must see why the start failed (e.g. a port in use), not an error raised while the
            // half-built parts were closed (a restart under load once reported only a
            // ChronicleHashClosedException).
            if (background != null) {
                background.shutdownNow();
            }
            if (purge != null) {
                purge.sweeper().close();
            }
            if (store != null) {
                try {
                    store.close();
                } catch (RuntimeException closing) {
                    e.addSuppressed(closing);
                }
            }
            try {
                metrics.close();
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            if (originPools != null) {
                try {
                    originPools.close(); // idempotent: start() may have closed it already
                } catch (RuntimeException closing) {
                    e.addSuppressed(closing);
                }
            }
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

    private static void registerPurgeGauges(DropwizardProxyMetrics metrics, PurgeService purge) {
        for (String kind : List.of("url", "tag", "prefix", "host")) {
            for (PurgeMode mode : PurgeMode.values()) {
                metrics.registerGauge(MetricNames.PURGES, List.of(kind, mode.name().toLowerCase(Locale.ROOT)),
                        () -> purge.purgeCount(kind, mode));
            }
        }
        metrics.registerGauge(MetricNames.PURGE_BANS_ACTIVE, List.of(), purge::bansActive);
    }

    private static void registerPipelineGauges(DropwizardProxyMetrics metrics,
                                               AtomicReference<CachingPipeline> pipeline) {
        metrics.registerGauge(MetricNames.PIPELINE_IN_FLIGHT, List.of(), () -> pipeline.get().stats().inFlight());
        metrics.registerGauge(MetricNames.PIPELINE_FOLLOWERS, List.of(),
                () -> pipeline.get().stats().followersJoined());
        metrics.registerGauge(MetricNames.PIPELINE_BACKGROUND_REVALIDATIONS, List.of(),
                () -> pipeline.get().stats().backgroundStarted());
    }

    /** The metrics the front end and pipeline report to: the access log first when it is enabled. */
    private static ProxyMetrics withAccessLog(CachalotConfig config, ProxyMetrics metrics) {
        return config.accessLog().enabled()
                ? new AccessLog(AccessLogFormat.of(config.accessLog().format())).andThen(metrics) : metrics;
    }

    /**
     * The parts a reload updates (docs/operations.md, "Live reload"; the list of what is reloadable
     * is {@code ConfigDiff}): the origin pools (servers, weights, balance, health checks), the
     * virtual-host table (routes, default route), the trusted proxies, the access log, and the rate
     * limits. Route overrides follow the live configuration itself. Pools come before the host table,
     * so a new route's pool exists before requests are routed to it.
     */
    private static List<Reloadable> reloadables(VirtualHosts hosts, ProxyHeaders headers, SwitchableMetrics recorded,
                                                DropwizardProxyMetrics metrics, RateLimiter limiter,
                                                PooledOriginClient pools, Clock clock) {
        return List.of(
                next -> {
                    PooledOriginClient.Reconfiguration rc = pools.reconfigure(next.routes());
                    return () -> {
                        rc.commit();
                        PoolGauges.update(metrics, rc.before(), rc.after(), clock);
                    };
                },
                next -> {
                    VirtualHosts h = virtualHosts(next);
                    return () -> hosts.replaceWith(h);
                },
                next -> {
                    TrustedProxies t = new TrustedProxies(next.server().trustedProxies());
                    return () -> headers.trust(t);
                },
                next -> {
                    ProxyMetrics m = withAccessLog(next, metrics);
                    return () -> recorded.switchTo(m);
                },
                next -> () -> {
                    limiter.update(next.rateLimits());
                    registerRateLimitGauges(metrics, limiter);
                });
    }

    /** Rate-limit gauges; the per-route ones for every route limited now (a dropped route reads 0). */
    private static void registerRateLimitGauges(DropwizardProxyMetrics metrics, RateLimiter limiter) {
        metrics.registerGauge(MetricNames.RATE_LIMIT_ADMITTED, List.of(), () -> limiter.stats().admitted());
        metrics.registerGauge(MetricNames.RATE_LIMIT_REJECTED, List.of("client"),
                () -> limiter.stats().limitedByClient());
        metrics.registerGauge(MetricNames.RATE_LIMIT_REJECTED, List.of("route"),
                () -> limiter.stats().limitedByRoute());
        metrics.registerGauge(MetricNames.RATE_LIMIT_CLIENTS, List.of(), () -> limiter.stats().trackedClients());
        metrics.registerGauge(MetricNames.RATE_LIMIT_CLIENT_RATE, List.of(), () -> {
            RateLimitConfig c = limiter.config();
            return c.enabled() && c.client() != null ? c.client().rate() : 0.0;
        });
        for (String route : limiter.config().routes().keySet()) {
            metrics.registerGauge(MetricNames.RATE_LIMIT_ROUTE_RATE, List.of(route), () -> {
                RateLimitConfig c = limiter.config();
                return c.enabled() && c.routes().containsKey(route) ? c.routes().get(route).rate() : 0.0;
            });
        }
    }

    /** The {@code rateLimits} section of {@code /stats}. */
    private static Map<String, Object> rateLimitStats(RateLimiter limiter) {
        RateLimitConfig c = limiter.config();
        RateLimiter.Stats s = limiter.stats();
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("enabled", c.enabled());
        out.put("exemptHits", c.exemptHits());
        out.put("client", c.client() == null ? null : c.client().describe());
        Map<String, Object> routes = new java.util.TreeMap<>();
        c.routes().forEach((r, l) -> routes.put(r, l.describe()));
        out.put("routes", routes);
        out.put("admitted", s.admitted());
        out.put("limitedByClient", s.limitedByClient());
        out.put("limitedByRoute", s.limitedByRoute());
        out.put("trackedClients", s.trackedClients());
        return out;
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

    /** The configuration in force: the start configuration, or what the last applied reload made of it. */
    public CachalotConfig runningConfig() {
        ConfigReloader r = reloader;
        return r == null ? config : r.current();
    }

    /**
     * Reloads the configuration (SIGHUP, admin {@code POST /reload}): see {@link ConfigReloader}.
     *
     * @param trigger who asked, for the log
     */
    public ReloadResult reload(String trigger) {
        ConfigReloader r = reloader;
        if (r == null) {
            return new ReloadResult.Unavailable("this instance was started without a configuration source");
        }
        if (stopped.get()) {
            return new ReloadResult.Unavailable("shutting down");
        }
        return r.reload(trigger);
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
        // Its own thread, not the common pool: that may have a single, busy thread on a 2-core machine.
        CompletableFuture<Boolean> forwardDrained = new CompletableFuture<>();
        if (forwardServer == null) {
            forwardDrained.complete(true);
        } else {
            Thread t = new Thread(() -> {
                try {
                    forwardDrained.complete(forwardServer.shutdown(config.server().shutdownTimeout()));
                } catch (RuntimeException e) {
                    forwardDrained.completeExceptionally(e);
                }
            }, "cachalot-forward-drain");
            t.setDaemon(true);
            t.start();
        }
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
        private ForwardMetrics forwardMetrics = ForwardMetrics.noop();
        private ExchangeListener listener = ExchangeListener.none();
        private AdminEndpoints adminEndpoints = AdminServer.basic();
        private ProcessorFactory processor = PassThroughProcessor::new;
        private Clock clock = Clock.systemUTC();
        private OriginClient origin;
        private final List<AutoCloseable> afterDrain = new ArrayList<>();
        private VirtualHosts virtualHosts;
        private ProxyHeaders proxyHeaders;

        private Builder(CachalotConfig config) {
            this.config = config;
        }

        public Builder metrics(ProxyMetrics m) {
            this.metrics = m;
            return this;
        }

        /** Where the forward listener counts its refusals, tunnels and tunnelled bytes (default: nowhere). */
        public Builder forwardMetrics(ForwardMetrics m) {
            this.forwardMetrics = m;
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

        /**
         * The reverse listener's origin client (closed by {@link Cachalot#stop()}); default: the routes'
         * origin pools ({@link PooledOriginClient#create}) on the builder's clock.
         */
        public Builder origin(OriginClient o) {
            this.origin = o;
            return this;
        }

        /** The virtual-host table to route by (default: built from the configuration's routes). */
        public Builder virtualHosts(VirtualHosts v) {
            this.virtualHosts = v;
            return this;
        }

        /** The header rewriting to use (default: built from {@code server.via} and {@code server.trustedProxies}). */
        public Builder proxyHeaders(ProxyHeaders h) {
            this.proxyHeaders = h;
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
            VirtualHosts hosts = virtualHosts != null ? virtualHosts : Cachalot.virtualHosts(config);
            ProxyHeaders headers = proxyHeaders != null ? proxyHeaders : new ProxyHeaders(config.server().via(),
                    new TrustedProxies(config.server().trustedProxies()), config.purge().clientHiddenFields());
            OriginClient origin = this.origin != null ? this.origin
                    : PooledOriginClient.create(config.routes(), config.origin(), clock);
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
                    ForwardProxy fp = ForwardProxy.create(config.forward(), forwardMetrics);
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
                    List.copyOf(afterDrain), hosts, headers);
            self[0] = c;
            c.notReady = null; // listeners are up: ready
            return c;
        }
    }
}
