package dev.cachalot.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cachalot.reload.ConfigDiff;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code server.ioYieldEvery}: read, defaulted, checked at start, kept by overrides, restart-only. */
class IoYieldConfigTest {

    @Test
    void aValueIsRead() {
        assertEquals(4, ConfigLoader.parse("f", "server:\n  ioYieldEvery: 4\n").server().ioYieldEvery());
        assertEquals(0, ConfigLoader.parse("f", "server:\n  ioYieldEvery: 0\n").server().ioYieldEvery());
    }

    @Test
    void absentMeansTheDefault() {
        assertEquals(ServerConfig.DEFAULT_IO_YIELD_EVERY,
                ConfigLoader.parse("f", "server:\n  ioThreads: 2\n").server().ioYieldEvery());
        assertEquals(16, ServerConfig.DEFAULT_IO_YIELD_EVERY);
    }

    @Test
    void aNegativeValueNamesFileKeyValueAndRule() {
        ConfigException e = ConfigErrors.rejected("my.yaml", "server:\n  ioYieldEvery: -1\n", "server.ioYieldEvery", "-1");
        assertEquals("must be a whole number from 0 to 1000000", e.rule());
    }

    @Test
    void theCommandLineOverridesKeepTheValue() {
        CachalotConfig c = ConfigLoader.parse("f", "server:\n  ioYieldEvery: 3\n");
        CachalotConfig o = ConfigLoader.override(c, "127.0.0.1:0", "http://127.0.0.1:9", null, null, null);
        assertEquals(3, o.server().ioYieldEvery());
    }

    @Test
    void aChangeNeedsARestartAndAReloadKeepsTheRunningValue() {
        CachalotConfig running = ConfigLoader.parse("f", "server:\n  ioYieldEvery: 3\n");
        CachalotConfig next = ConfigLoader.parse("f", "server:\n  ioYieldEvery: 8\n");
        assertEquals(List.of("server.ioYieldEvery"), ConfigDiff.restartRequired(running, next));
        assertEquals(3, ConfigDiff.effective(running, next).server().ioYieldEvery());
    }
}
