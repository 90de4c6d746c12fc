package dev.cachalot.config;

import dev.cachalot.ratelimit.RateLimit;
import dev.cachalot.ratelimit.RateLimitConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code rateLimits:} section bound to {@link RateLimitConfig}: {@code enabled},
 * {@code exemptHits}, {@code client.{rate, burst, maxClients, idleTimeout, ipv6Prefix}} and
 * {@code routes[].{route, rate, burst}}. Unknown keys and bad values fail naming the key.
 */
final class RateLimitSection {
    private RateLimitSection() {}

    static RateLimitConfig from(ConfigNode n) {
        RateLimitConfig d = RateLimitConfig.DEFAULTS;
        boolean enabled = n.bool("enabled", d.enabled());
        boolean exemptHits = n.bool("exemptHits", d.exemptHits());
        ConfigNode c = n.section("client");
        RateLimit client = limit(c);
        int maxClients = c.integer("maxClients", d.maxClients(), 1, 100_000_000);
        Duration idle = c.duration("idleTimeout", d.clientIdle(), Duration.ofSeconds(1), Duration.ofDays(1));
        int prefix = c.integer("ipv6Prefix", d.ipv6Prefix(), 1, 128);
        c.finish();
        Map<String, RateLimit> routes = new LinkedHashMap<>();
        List<ConfigNode> rs = n.sections("routes");
        if (rs != null) {
            for (ConfigNode r : rs) {
                String name = r.string("route", "");
                if (name.isEmpty()) {
                    throw r.fail("route", name, "is required: the name of a route in routes[]");
                }
                if (routes.containsKey(name)) {
                    throw r.fail("route", name, "route already has a rate limit");
                }
                RateLimit l = limit(r);
                if (l == null) {
                    throw r.fail("rate", "0", "must be more than 0 requests/s");
                }
                r.finish();
                routes.put(name, l);
            }
        }
        if (enabled && client == null && routes.isEmpty()) {
            throw n.fail("enabled", "true", "needs a limit: set client.rate or add a routes entry");
        }
        n.finish();
        return new RateLimitConfig(enabled, exemptHits, client, maxClients, idle, prefix, routes);
    }

    /** {@code rate} (requests/s, decimals allowed, 0 = none) and {@code burst} (0 = the rate rounded up). */
    private static RateLimit limit(ConfigNode n) {
        double rate = n.decimal("rate", 0, 0, 1e9);
        int burst = n.integer("burst", 0, 0, RateLimit.MAX_BURST);
        if (rate == 0) {
            if (burst != 0) {
                throw n.fail("burst", Integer.toString(burst), "needs a rate: set rate too (or burst: 0)");
            }
            return null;
        }
        if (rate < RateLimit.MIN_RATE) {
            throw n.fail("rate", Double.toString(rate), "must be 0 (no limit) or at least " + RateLimit.MIN_RATE
                    + " requests/s");
        }
        return new RateLimit(rate, burst == 0 ? (int) Math.max(1, Math.min(RateLimit.MAX_BURST, Math.ceil(rate)))
                : burst);
    }

    /** Cross-section rule: every limited route exists. */
    static void check(String source, RateLimitConfig limits, Set<String> routeNames) {
        int i = 0;
        for (String r : limits.routes().keySet()) {
            if (!routeNames.contains(r)) {
                throw new ConfigException(source, "rateLimits.routes[" + i + "].route", r,
                        "must name one of the routes " + routeNames);
            }
            i++;
        }
    }
}
