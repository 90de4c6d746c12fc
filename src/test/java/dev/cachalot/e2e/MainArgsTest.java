package dev.cachalot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cachalot.Main;
import dev.cachalot.config.CachalotConfig;
import dev.cachalot.config.ConfigException;
import org.junit.jupiter.api.Test;

class MainArgsTest {
    @Test
    void flagsOverrideTheConfig() {
        CachalotConfig c = Main.configFrom("--listen", "127.0.0.1:18080", "--origin=http://127.0.0.1:18081",
                "--admin-listen", "127.0.0.1:19090", "--admin-token", "t", "--cache-dir", "/tmp/x");
        assertEquals(18080, c.server().listen().port());
        assertEquals("http://127.0.0.1:18081", c.routes().get(0).origin());
        assertEquals(19090, c.admin().listen().port());
        assertEquals("t", c.admin().token());
        assertEquals("/tmp/x", c.store().directory().toString());
    }

    @Test
    void badFlagsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Main.configFrom("--lisen", "x"));
        assertEquals("unknown option: --lisen", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Main.configFrom("--listen"));
        assertEquals("--listen needs a value", e.getMessage());
        ConfigException c = assertThrows(ConfigException.class, () -> Main.configFrom("--config", "/nonexistent.yaml"));
        assertEquals("--config", c.key());
    }
}
