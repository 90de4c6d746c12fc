package dev.cachalot.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cachalot.config.CachalotConfig;
import dev.cachalot.config.ConfigLoader;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigDiffTest {
    private static CachalotConfig parse(String yaml) {
        return ConfigLoader.parse("t.yaml", yaml);
    }

    @Test
    void theSameFileChangesNothing() {
        CachalotConfig c = parse("routes:\n  - name: default\n    origin: http://127.0.0.1:1\n");
        CachalotConfig d = parse("routes:\n  - name: default\n    origin: http://127.0.0.1:1\n");
        assertEquals(List.of(), ConfigDiff.reloadableChanges(c, d));
        assertEquals(List.of(), ConfigDiff.restartRequired(c, d));
    }

    @Test
    void reloadableAndRestartOnlyKeysAreToldApartAndOnlyTheReloadableOnesTakeEffect() {
        CachalotConfig running = parse("server:\n  listen: 127.0.0.1:8080\n"
                + "routes:\n  - name: default\n    origin: http://127.0.0.1:1\n");
        CachalotConfig next = parse("server:\n  listen: 127.0.0.1:9999\n  trustedProxies: [10.0.0.0/8]\n"
                + "  defaultRoute: b\n  via: other\n"
                + "routes:\n  - name: default\n    origin: http://127.0.0.1:1\n  - name: b\n    origin: http://127.0.0.1:2\n"
                + "    forceTtl: 10s\n"
                + "accessLog:\n  format: json\n"
                + "origin:\n  maxConnections: 100\n"
                + "rateLimits:\n  enabled: true\n  routes:\n    - route: b\n      rate: 3\n");
        assertEquals(List.of("routes", "server.defaultRoute", "server.trustedProxies", "rateLimits", "accessLog"),
                ConfigDiff.reloadableChanges(running, next));
        assertEquals(List.of("server.listen", "server.via", "origin"), ConfigDiff.restartRequired(running, next));
        CachalotConfig effective = ConfigDiff.effective(running, next);
        assertEquals(running.server().listen(), effective.server().listen());
        assertEquals(running.server().via(), effective.server().via());
        assertEquals(running.origin(), effective.origin());
        assertEquals(next.routes(), effective.routes());
        assertEquals("b", effective.server().defaultRoute());
        assertEquals(List.of("10.0.0.0/8"), effective.server().trustedProxies());
        assertEquals(next.rateLimits(), effective.rateLimits());
        assertEquals(next.accessLog(), effective.accessLog());
        assertEquals(List.of(), ConfigDiff.reloadableChanges(effective, next), "nothing reloadable left to apply");
    }

    @Test
    void aRoutesOriginServersAndPoolAreReloadable() {
        CachalotConfig running = parse("routes:\n  - name: default\n    origin: http://127.0.0.1:1\n");
        CachalotConfig next = parse("routes:\n  - name: default\n    pool:\n      servers:\n"
                + "        - url: http://127.0.0.1:2\n          weight: 3\n        - url: http://127.0.0.1:3\n"
                + "      healthCheck:\n        path: /health\n");
        assertEquals(List.of("routes"), ConfigDiff.reloadableChanges(running, next));
        assertEquals(List.of(), ConfigDiff.restartRequired(running, next));
        assertEquals(next.routes(), ConfigDiff.effective(running, next).routes(), "the new pool takes effect");
    }
}
