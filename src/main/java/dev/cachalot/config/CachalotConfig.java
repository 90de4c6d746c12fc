package dev.cachalot.config;

import dev.cachalot.forward.ForwardCacheRules;
import dev.cachalot.forward.ForwardConfig;
import dev.cachalot.pipeline.PipelineConfig;
import dev.cachalot.policy.RouteOverrides;
import dev.cachalot.purge.PurgeConfig;
import dev.cachalot.ratelimit.RateLimitConfig;
import dev.cachalot.store.StoreConfig;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The whole configuration, one record per YAML section. Built by {@link ConfigLoader}; every value
 * has a default so an empty file (or none) is a working proxy on 127.0.0.1:8080 in front of
 * http://127.0.0.1:8081.
 */
public record CachalotConfig(ServerConfig server, OriginConfig origin, List<RouteConfig> routes, AdminConfig admin,
                             StoreConfig store, PipelineConfig pipeline, CacheConfig cache, AccessLogConfig accessLog,
                             MetricsConfig metrics, PurgeConfig purge, ForwardConfig forward,
                             RateLimitConfig rateLimits) {

    /** A configuration without rate limits ({@code rateLimits} at its defaults: off). */
    public CachalotConfig(ServerConfig server, OriginConfig origin, List<RouteConfig> routes, AdminConfig admin,
                          StoreConfig store, PipelineConfig pipeline, CacheConfig cache, AccessLogConfig accessLog,
                          MetricsConfig metrics, PurgeConfig purge, ForwardConfig forward) {
        this(server, origin, routes, admin, store, pipeline, cache, accessLog, metrics, purge, forward,
                RateLimitConfig.DEFAULTS);
    }

    /** The route used when no file defines any: every host to http://127.0.0.1:8081. */
    static final RouteConfig DEFAULT_ROUTE = new RouteConfig("default", List.of(), "http://127.0.0.1:8081", "");

    static CachalotConfig from(ConfigNode root) {
        ServerConfig server = ServerConfig.from(root.section("server"));
        OriginConfig origin = OriginConfig.from(root.section("origin"));
        List<ConfigNode> routeNodes = root.sections("routes");
        List<RouteConfig> routes;
        if (routeNodes == null) {
            routes = List.of(DEFAULT_ROUTE);
        } else {
            routes = routeNodes.stream().map(RouteConfig::from).toList();
        }
        AdminConfig admin = AdminConfig.from(root.section("admin"));
        StoreConfig store = StoreSection.from(root.section("store"));
        PipelineConfig pipeline = PipelineSection.from(root.section("pipeline"));
        CacheConfig cache = CacheConfig.from(root.section("cache"));
        AccessLogConfig accessLog = AccessLogConfig.from(root.section("accessLog"));
        MetricsConfig metrics = MetricsConfig.from(root.section("metrics"));
        PurgeConfig purge = PurgeSection.from(root.section("purge"));
        ForwardConfig forward = ForwardConfig.from(root.section("forward"));
        RateLimitConfig rateLimits = RateLimitSection.from(root.section("rateLimits"));
        root.finish();
        CachalotConfig c = new CachalotConfig(server, origin, routes, admin, store, pipeline, cache, accessLog,
                metrics, purge, forward, rateLimits);
        c.check(root.source());
        return c;
    }

    /** Cross-section rules: unique route names and hosts, an existing default route. */
    void check(String source) {
        Set<String> names = new HashSet<>();
        Map<String, String> hosts = new HashMap<>();
        for (int i = 0; i < routes.size(); i++) {
            RouteConfig r = routes.get(i);
            if (!names.add(r.name())) {
                throw new ConfigException(source, "routes[" + i + "].name", r.name(), "route names must be unique");
            }
            if (r.name().equals(ForwardCacheRules.ROUTE) && !forward.cacheRules().isEmpty()) {
                // Per-host forward rules select requests by the forward listener's route name.
                throw new ConfigException(source, "routes[" + i + "].name", r.name(),
                        "is reserved for the forward listener while forward.storeIds or forward.cacheRules are set");
            }
            for (String h : r.hosts()) {
                String prev = hosts.put(h.toLowerCase(Locale.ROOT), r.name());
                if (prev != null) {
                    throw new ConfigException(source, "routes[" + i + "].hosts", h,
                            "host already claimed by route " + prev);
                }
            }
        }
        if (!server.defaultRoute().isEmpty() && !names.contains(server.defaultRoute())) {
            throw new ConfigException(source, "server.defaultRoute", server.defaultRoute(),
                    "must name one of the routes " + names + " or be \"\"");
        }
        if (server.limits().maxConcurrentRequests() > origin.maxConnections() * 64) {
            throw new ConfigException(source, "server.limits.maxConcurrentRequests",
                    String.valueOf(server.limits().maxConcurrentRequests()),
                    "must be at most 64 x origin.maxConnections");
        }
        RateLimitSection.check(source, rateLimits, names);
    }

    public CachalotConfig withServer(ServerConfig s) {
        return new CachalotConfig(s, origin, routes, admin, store, pipeline, cache, accessLog, metrics, purge,
                forward, rateLimits);
    }

    public CachalotConfig withRoutes(List<RouteConfig> r) {
        return new CachalotConfig(server, origin, r, admin, store, pipeline, cache, accessLog, metrics, purge,
                forward, rateLimits);
    }

    public CachalotConfig withAdmin(AdminConfig a) {
        return new CachalotConfig(server, origin, routes, a, store, pipeline, cache, accessLog, metrics, purge,
                forward, rateLimits);
    }

    public CachalotConfig withStore(StoreConfig s) {
        return new CachalotConfig(server, origin, routes, admin, s, pipeline, cache, accessLog, metrics, purge,
                forward, rateLimits);
    }

    public CachalotConfig withOrigin(OriginConfig o) {
        return new CachalotConfig(server, o, routes, admin, store, pipeline, cache, accessLog, metrics, purge,
                forward, rateLimits);
    }

    public CachalotConfig withPipeline(PipelineConfig p) {
        return new CachalotConfig(server, origin, routes, admin, store, p, cache, accessLog, metrics, purge,
                forward, rateLimits);
    }

    public CachalotConfig withCache(CacheConfig c) {
        return new CachalotConfig(server, origin, routes, admin, store, pipeline, c, accessLog, metrics, purge,
                forward, rateLimits);
    }

    public CachalotConfig withAccessLog(AccessLogConfig a) {
        return new CachalotConfig(server, origin, routes, admin, store, pipeline, cache, a, metrics, purge,
                forward, rateLimits);
    }

    public CachalotConfig withPurge(PurgeConfig p) {
        return new CachalotConfig(server, origin, routes, admin, store, pipeline, cache, accessLog, metrics, p,
                forward, rateLimits);
    }

    public CachalotConfig withForward(ForwardConfig f) {
        return new CachalotConfig(server, origin, routes, admin, store, pipeline, cache, accessLog, metrics, purge,
                f, rateLimits);
    }

    public CachalotConfig withRateLimits(RateLimitConfig r) {
        return new CachalotConfig(server, origin, routes, admin, store, pipeline, cache, accessLog, metrics, purge,
                forward, r);
    }

    /** The cache overrides of the named route (none for an unknown name). */
    public RouteOverrides overridesFor(String routeName) {
        for (int i = 0; i < routes.size(); i++) { // by index: asked on every request, no iterator
            RouteConfig r = routes.get(i);
            if (r.name().equals(routeName)) {
                return r.overrides();
            }
        }
        return RouteOverrides.NONE;
    }
}
