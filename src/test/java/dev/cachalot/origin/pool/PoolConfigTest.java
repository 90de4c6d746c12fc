package dev.cachalot.origin.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.config.CachalotConfig;
import dev.cachalot.config.ConfigException;
import dev.cachalot.config.ConfigLoader;
import dev.cachalot.config.OriginPoolConfig;
import dev.cachalot.config.RouteConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code pool:} form of a route, and every rule its values must follow (file, key, value, rule). */
class PoolConfigTest {
    private static final String POOL = """
            routes:
              - name: default
                hosts: [www.example.com]
                pool:
                  balance: consistent-hash
                  maxRetries: 2
                  servers:
                    - url: http://10.0.0.1:8080
                      weight: 3
                    - url: http://10.0.0.2:8080
                    - url: https://10.0.0.9
                      backup: true
                  healthCheck:
                    path: /healthz
                    interval: 2s
                    timeout: 500ms
                    expectStatus: 200,204
                    healthyThreshold: 1
                    unhealthyThreshold: 4
                  ejection:
                    consecutiveErrors: 3
                    on5xx: true
                    duration: 10s
                    maxDuration: 2m
            """;

    private static ConfigException bad(String yaml) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parse("pools.yaml", yaml));
    }

    private static String route(String poolBody) {
        return "routes:\n  - name: default\n    pool:\n" + poolBody.indent(6);
    }

    private static final String SERVERS = "servers:\n  - url: http://10.0.0.1:8080\n";

    @Test
    void thePoolFormBindsEveryKey() {
        CachalotConfig c = ConfigLoader.parse("pools.yaml", POOL);
        RouteConfig r = c.routes().get(0);
        OriginPoolConfig p = r.pool();
        assertEquals("http://10.0.0.1:8080", r.origin(), "origin is the first primary (the virtual-host table uses it)");
        assertEquals(OriginPoolConfig.Balance.CONSISTENT_HASH, p.balance());
        assertEquals(2, p.maxRetries());
        assertEquals(List.of(new OriginPoolConfig.Server("http://10.0.0.1:8080", 3, false),
                new OriginPoolConfig.Server("http://10.0.0.2:8080", 1, false),
                new OriginPoolConfig.Server("https://10.0.0.9", 1, true)), p.servers());
        assertEquals(new OriginPoolConfig.HealthCheck("/healthz", Duration.ofSeconds(2), Duration.ofMillis(500),
                "200,204", 1, 4), p.healthCheck());
        assertTrue(p.healthCheck().passes(204));
        assertFalse(p.healthCheck().passes(201));
        assertEquals(new OriginPoolConfig.Ejection(3, true, Duration.ofSeconds(10), Duration.ofMinutes(2)),
                p.ejection());
    }

    @Test
    void poolDefaults() {
        OriginPoolConfig p = ConfigLoader.parse("pools.yaml", route(SERVERS)).routes().get(0).pool();
        assertEquals(OriginPoolConfig.Balance.ROUND_ROBIN, p.balance());
        assertEquals(1, p.maxRetries());
        assertFalse(p.healthCheck().enabled(), "no active checks without a path");
        assertEquals(new OriginPoolConfig.Ejection(5, false, Duration.ofSeconds(30), Duration.ofMinutes(5)),
                p.ejection());
    }

    @Test
    void theSingleOriginFormIsAPoolOfOneThatNeverEjects() {
        RouteConfig r = ConfigLoader.parse("x.yaml", "routes:\n  - name: default\n    origin: http://127.0.0.1:8081\n")
                .routes().get(0);
        assertEquals(OriginPoolConfig.single("http://127.0.0.1:8081"), r.pool());
        assertFalse(r.pool().ejection().enabled());
        assertFalse(r.pool().healthCheck().enabled());
        assertEquals(0, r.pool().maxRetries());
        assertEquals(ConfigLoader.defaults().routes().get(0).pool(), OriginPoolConfig.single("http://127.0.0.1:8081"));
    }

    @Test
    void originAndPoolTogetherFail() {
        ConfigException e = bad("routes:\n  - name: default\n    origin: http://a:1\n    pool:\n      " + SERVERS.replace("\n  ",
                "\n        "));
        assertEquals("pools.yaml", e.source());
        assertEquals("routes[0].origin", e.key());
        assertEquals("http://a:1", e.value());
        assertEquals("a route has either origin or pool, not both", e.rule());
    }

    @Test
    void badValuesNameTheirKey() {
        assertKey("routes[0].pool.servers", "must list at least one server", bad(route("servers: []\n")));
        assertKey("routes[0].pool.servers", "at least one server must not be a backup",
                bad(route("servers:\n  - url: http://a:1\n    backup: true\n")));
        assertKey("routes[0].pool.servers[1].url", "is listed twice in this pool",
                bad(route("servers:\n  - url: http://a:1\n  - url: HTTP://A:1\n")));
        ConfigException url = bad(route("servers:\n  - url: http://a:1/path\n"));
        assertEquals("routes[0].pool.servers[0].url", url.key());
        assertEquals("http://a:1/path", url.value());
        assertKey("routes[0].pool.servers[0].weight", "must be a whole number from 1 to 100",
                bad(route("servers:\n  - url: http://a:1\n    weight: 0\n")));
        assertKey("routes[0].pool.balance", "must be round-robin or consistent-hash",
                bad(route(SERVERS + "balance: least-conn\n")));
        assertKey("routes[0].pool.maxRetries", "must be a whole number from 0 to 10",
                bad(route(SERVERS + "maxRetries: 11\n")));
        assertKey("routes[0].pool.healthCheck.path", "must be \"\" (no active checks) or a path starting with '/'"
                + " without spaces", bad(route(SERVERS + "healthCheck:\n  path: health\n")));
        assertKey("routes[0].pool.healthCheck.timeout", "must not be longer than interval (1s)",
                bad(route(SERVERS + "healthCheck:\n  path: /h\n  interval: 1s\n  timeout: 2s\n")));
        ConfigException status = bad(route(SERVERS + "healthCheck:\n  expectStatus: 200-1000\n"));
        assertEquals("routes[0].pool.healthCheck.expectStatus", status.key());
        assertEquals("200-1000", status.value());
        assertKey("routes[0].pool.healthCheck.unhealthyThreshold", "must be a whole number from 1 to 100",
                bad(route(SERVERS + "healthCheck:\n  unhealthyThreshold: 0\n")));
        assertKey("routes[0].pool.ejection.maxDuration", "must not be shorter than duration (30s)",
                bad(route(SERVERS + "ejection:\n  maxDuration: 10s\n")));
        assertKey("routes[0].pool.ejection.consecutiveError", "unknown key",
                bad(route(SERVERS + "ejection:\n  consecutiveError: 3\n")));
        assertKey("routes[0].pool.server", "unknown key", bad(route(SERVERS + "server: []\n")));
    }

    private static void assertKey(String key, String rule, ConfigException e) {
        assertEquals("pools.yaml", e.source());
        assertEquals(key, e.key(), e.getMessage());
        assertEquals(rule, e.rule(), e.getMessage());
    }

    @Test
    void statusLists() {
        assertTrue(OriginPoolConfig.HealthCheck.OFF.passes(200));
        assertTrue(OriginPoolConfig.HealthCheck.OFF.passes(399));
        assertFalse(OriginPoolConfig.HealthCheck.OFF.passes(404));
        assertFalse(OriginPoolConfig.HealthCheck.OFF.passes(500));
        for (String bad : List.of("", "abc", "99", "600", "300-200", "200,", "2xx")) {
            ConfigException e = bad(route(SERVERS + "healthCheck:\n  expectStatus: \"" + bad + "\"\n"));
            assertEquals("routes[0].pool.healthCheck.expectStatus", e.key(), bad);
        }
    }
}
