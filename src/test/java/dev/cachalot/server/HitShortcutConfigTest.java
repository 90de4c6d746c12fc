package dev.cachalot.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.config.CachalotConfig;
import dev.cachalot.config.ConfigException;
import dev.cachalot.config.ConfigLoader;
import dev.cachalot.metrics.ProxyMetrics;
import dev.cachalot.origin.OriginTarget;
import dev.cachalot.origin.ProxyHeaders;
import dev.cachalot.origin.TrustedProxies;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code server.hitShortcut}: on by default, off when set false, a bad value fails at load naming the key. */
class HitShortcutConfigTest {
    private static final String ROUTES = "routes:\n  - name: default\n    origin: http://127.0.0.1:9\n";

    private static ProxyServer server(CachalotConfig c) {
        VirtualHosts hosts = new VirtualHosts(List.of(new VirtualHosts.Route(
                new OriginTarget("default", "http", "127.0.0.1", 9, null), List.of())), "default");
        return new ProxyServer(c.server(), (request, sink) -> sink.sendError(500, "unused"), hosts,
                new ProxyHeaders("cachalot", new TrustedProxies(List.of())), ProxyMetrics.noop(),
                ExchangeListener.none(), Clock.systemUTC());
    }

    @Test
    void onByDefaultOffWhenSaidSo() {
        CachalotConfig dflt = ConfigLoader.parse("t", "server:\n  listen: 127.0.0.1:0\n" + ROUTES);
        assertTrue(dflt.server().hitShortcut());
        assertNotNull(server(dflt).hitShortcut());
        CachalotConfig off = ConfigLoader.parse("t", "server:\n  listen: 127.0.0.1:0\n  hitShortcut: false\n" + ROUTES);
        assertFalse(off.server().hitShortcut());
        assertNull(server(off).hitShortcut());
        // A command-line override of the listener keeps the operator's choice.
        assertFalse(ConfigLoader.override(off, "127.0.0.1:0", null, null, null, null).server().hitShortcut());
    }

    @Test
    void aBadValueFailsNamingTheKey() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("t",
                "server:\n  listen: 127.0.0.1:0\n  hitShortcut: sometimes\n" + ROUTES));
        assertTrue(e.getMessage().contains("hitShortcut"), e.getMessage());
    }
}
