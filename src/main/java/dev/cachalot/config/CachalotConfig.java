package dev.cachalot.config;

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
                             StoreConfig store) {

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
        StoreConfig store = StoreConfig.from(root.section("store"));
        root.finish();
        CachalotConfig c = new CachalotConfig(server, origin, routes, admin, store);
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
    }

    public CachalotConfig withServer(ServerConfig s) {
        return new CachalotConfig(s, origin, routes, admin, store);
    }

    public CachalotConfig withRoutes(List<RouteConfig> r) {
        return new CachalotConfig(server, origin, r, admin, store);
    }

    public CachalotConfig withAdmin(AdminConfig a) {
        return new CachalotConfig(server, origin, routes, a, store);
    }

    public CachalotConfig withStore(StoreConfig s) {
        return new CachalotConfig(server, origin, routes, admin, s);
    }

    public CachalotConfig withOrigin(OriginConfig o) {
        return new CachalotConfig(server, o, routes, admin, store);
    }
}
