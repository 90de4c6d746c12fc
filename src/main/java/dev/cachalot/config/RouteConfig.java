package dev.cachalot.config;

import dev.cachalot.policy.RouteOverrides;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * One virtual host: the Host names it answers and the origin it forwards to.
 *
 * @param name       route name (metrics, logs, defaultRoute)
 * @param hosts      host names, matched case-insensitively without the port; "*.example.com" matches subdomains
 * @param origin     origin URL, scheme://host:port
 * @param hostHeader Host sent to the origin instead of the client's, "" to keep the client's
 * @param overrides  opt-in deviations from the origin's caching directives on this route
 * @param pool       the origin servers; for the single {@code origin:} form a pool of one
 *                   ({@link OriginPoolConfig#single}); with {@code pool:}, {@code origin} is its first primary
 */
public record RouteConfig(String name, List<String> hosts, String origin, String hostHeader,
                          RouteOverrides overrides, OriginPoolConfig pool) {
    /** A route without cache overrides. */
    public RouteConfig(String name, List<String> hosts, String origin, String hostHeader) {
        this(name, hosts, origin, hostHeader, RouteOverrides.NONE);
    }

    /** A route to a single origin server (a pool of one). */
    public RouteConfig(String name, List<String> hosts, String origin, String hostHeader, RouteOverrides overrides) {
        this(name, hosts, origin, hostHeader, overrides, OriginPoolConfig.single(origin));
    }

    static RouteConfig from(ConfigNode n) {
        String name = n.string("name", "");
        if (!name.matches("[A-Za-z0-9_.-]+")) {
            throw n.fail("name", name, "is required: letters, digits, '_', '.', '-'");
        }
        List<String> hosts = n.strings("hosts", List.of());
        for (int i = 0; i < hosts.size(); i++) {
            if (!hosts.get(i).matches("(\\*\\.)?[A-Za-z0-9_.\\-\\[\\]:]+")) {
                throw n.fail("hosts[" + i + "]", hosts.get(i), "must be a host name, IP literal or *.domain");
            }
        }
        OriginPoolConfig pool = null;
        String origin;
        if (n.has("pool")) {
            // docs/configuration.md "Origin pools": a pool of servers instead of the single origin.
            if (n.has("origin")) {
                throw n.fail("origin", n.string("origin", ""), "a route has either origin or pool, not both");
            }
            pool = OriginPoolConfig.from(n.section("pool"));
            origin = pool.primaries().get(0).url();
        } else {
            origin = n.string("origin", "");
            try {
                dev.cachalot.origin.OriginTarget.parse(name, origin, null);
            } catch (IllegalArgumentException e) {
                throw n.fail("origin", origin, "must be an http(s) URL with only scheme, host and port ("
                        + e.getMessage() + ")");
            }
        }
        String hostHeader = n.string("hostHeader", "");
        String ttl = n.string("forceTtl", "");
        Duration forceTtl = null;
        if (!ttl.isEmpty()) {
            forceTtl = n.duration("forceTtl", null, Duration.ZERO, Duration.ofDays(3650));
        }
        List<String> ignored = n.strings("ignoredDirectives", List.of());
        for (int i = 0; i < ignored.size(); i++) {
            if (!ignored.get(i).matches("[A-Za-z0-9-]+")) {
                throw n.fail("ignoredDirectives[" + i + "]", ignored.get(i), "must be a directive name such as no-cache");
            }
        }
        List<String> bypass = n.strings("bypassPathPrefixes", List.of());
        for (int i = 0; i < bypass.size(); i++) {
            if (!bypass.get(i).startsWith("/")) {
                throw n.fail("bypassPathPrefixes[" + i + "]", bypass.get(i), "must start with '/'");
            }
        }
        n.finish();
        RouteOverrides overrides = forceTtl == null && ignored.isEmpty() && bypass.isEmpty() ? RouteOverrides.NONE
                : new RouteOverrides(forceTtl, Set.copyOf(ignored), bypass);
        return new RouteConfig(name, hosts, origin, hostHeader, overrides,
                pool == null ? OriginPoolConfig.single(origin) : pool);
    }
}
