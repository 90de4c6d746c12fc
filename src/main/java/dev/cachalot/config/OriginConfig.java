package dev.cachalot.config;

import java.time.Duration;

/**
 * The one pooled HTTP client used for every origin.
 *
 * @param connectTimeout         TCP (+TLS) connect timeout; exceeded gives 504
 * @param responseTimeout        longest wait for the response head or between body reads; exceeded gives 504
 * @param idleTimeout            pooled connections idle longer than this are closed
 * @param poolTimeout            longest wait for a free pooled connection; exceeded gives 503
 * @param maxConnections         pool total
 * @param maxConnectionsPerRoute pool limit per origin host:port
 */
public record OriginConfig(Duration connectTimeout, Duration responseTimeout, Duration idleTimeout,
                           Duration poolTimeout, int maxConnections, int maxConnectionsPerRoute) {
    static OriginConfig from(ConfigNode n) {
        OriginConfig c = new OriginConfig(
                n.duration("connectTimeout", Duration.ofSeconds(5), Duration.ofMillis(1), Duration.ofMinutes(10)),
                n.duration("responseTimeout", Duration.ofSeconds(60), Duration.ofMillis(1), Duration.ofHours(1)),
                n.duration("idleTimeout", Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofHours(1)),
                n.duration("poolTimeout", Duration.ofSeconds(5), Duration.ofMillis(1), Duration.ofMinutes(10)),
                n.integer("maxConnections", 512, 1, 100_000),
                n.integer("maxConnectionsPerRoute", 512, 1, 100_000));
        n.finish();
        return c;
    }
}
