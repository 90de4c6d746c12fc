package dev.cachalot.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cachalot.config.ServerConfig.ConnectionPlacement;
import dev.cachalot.reload.ConfigDiff;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code server.connectionPlacement}: its two values, its default, and a bad value at start. */
class ConnectionPlacementConfigTest {

    @Test
    void bothValuesAreRead() {
        assertEquals(ConnectionPlacement.INCOMING_CPU, ConfigLoader.parse("f",
                "server:\n  connectionPlacement: incoming-cpu\n").server().connectionPlacement());
        assertEquals(ConnectionPlacement.RANDOM, ConfigLoader.parse("f",
                "server:\n  connectionPlacement: random\n").server().connectionPlacement());
    }

    @Test
    void absentMeansTheDefault() {
        assertEquals(ConnectionPlacement.DEFAULT, ConfigLoader.parse("f", "server:\n  ioThreads: 2\n").server()
                .connectionPlacement());
    }

    @Test
    void aBadValueNamesFileKeyValueAndRule() {
        ConfigException e = ConfigErrors.rejected("my.yaml", "server:\n  connectionPlacement: fastest\n",
                "server.connectionPlacement", "fastest");
        assertEquals("must be incoming-cpu or random", e.rule());
    }

    @Test
    void theListenOverrideKeepsThePlacement() {
        CachalotConfig c = ConfigLoader.parse("f", "server:\n  connectionPlacement: random\n");
        CachalotConfig o = ConfigLoader.override(c, "127.0.0.1:0", "http://127.0.0.1:9", null, null, null);
        assertEquals(ConnectionPlacement.RANDOM, o.server().connectionPlacement());
    }

    @Test
    void aChangeNeedsARestartAndAReloadKeepsTheRunningValue() {
        CachalotConfig running = ConfigLoader.parse("f", "server:\n  connectionPlacement: random\n");
        CachalotConfig next = ConfigLoader.parse("f", "server:\n  connectionPlacement: incoming-cpu\n");
        assertEquals(List.of("server.connectionPlacement"), ConfigDiff.restartRequired(running, next));
        assertEquals(ConnectionPlacement.RANDOM, ConfigDiff.effective(running, next).server().connectionPlacement());
    }
}
