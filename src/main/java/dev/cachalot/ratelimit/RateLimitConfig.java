package dev.cachalot.ratelimit;

import java.time.Duration;
import java.util.Map;

/**
 * The {@code rateLimits.*} settings (bound from YAML by {@code dev.cachalot.config.RateLimitSection}).
 *
 * @param enabled      consult the limiter at all (false: every request passes untouched)
 * @param exemptHits   requests the cache answers without the origin (fresh or stale hits) take no
 *                     token; only requests that go to the origin are counted
 * @param client       the limit per client address (after trusted proxy hops), or null for none
 * @param maxClients   client buckets kept at most; beyond that the least recently used are dropped
 *                     (a dropped client starts again with a full bucket)
 * @param clientIdle   a client bucket unused this long is dropped (a full bucket needs no memory)
 * @param ipv6Prefix   IPv6 clients share one bucket per network of this prefix length (64: one
 *                     subscriber's /64), so one host cannot get fresh buckets by rotating addresses
 * @param routes       limits per route name, for all clients of that route together
 */
public record RateLimitConfig(boolean enabled, boolean exemptHits, RateLimit client, int maxClients,
                              Duration clientIdle, int ipv6Prefix, Map<String, RateLimit> routes) {
    /** Off; when switched on without other keys: 100 000 clients, 10 minutes idle, IPv6 per /64. */
    public static final RateLimitConfig DEFAULTS = new RateLimitConfig(false, false, null, 100_000,
            Duration.ofMinutes(10), 64, Map.of());

    public RateLimitConfig {
        routes = Map.copyOf(routes);
        if (maxClients < 1) {
            throw new IllegalArgumentException("maxClients must be at least 1, was " + maxClients);
        }
        if (clientIdle.isNegative() || clientIdle.isZero()) {
            throw new IllegalArgumentException("clientIdle must be positive, was " + clientIdle);
        }
        if (ipv6Prefix < 1 || ipv6Prefix > 128) {
            throw new IllegalArgumentException("ipv6Prefix must be 1..128, was " + ipv6Prefix);
        }
    }

    /** True when some limit would apply to some request. */
    public boolean active() {
        return enabled && (client != null || !routes.isEmpty());
    }
}
