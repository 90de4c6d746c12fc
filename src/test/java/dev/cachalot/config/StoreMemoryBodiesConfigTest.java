package dev.cachalot.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.store.MemoryBodies;
import org.junit.jupiter.api.Test;

/** {@code store.memoryBodies}: mapped (default, one copy of each body) or copy; anything else fails at start. */
class StoreMemoryBodiesConfigTest {
    @Test
    void defaultsToMappedAndAcceptsCopy() {
        assertEquals(MemoryBodies.MAPPED, ConfigLoader.parse("f", "store:\n  dir: ./var/cache\n").store().memoryBodies());
        assertEquals(MemoryBodies.COPY, ConfigLoader.parse("f", "store:\n  memoryBodies: copy\n").store().memoryBodies());
        assertEquals(MemoryBodies.MAPPED, ConfigLoader.parse("f", "store:\n  memoryBodies: mapped\n").store().memoryBodies());
    }

    @Test
    void aBadValueFailsNamingFileKeyValueAndRule() {
        ConfigException e = ConfigErrors.rejected("cachalot.yaml", "store:\n  memoryBodies: both\n",
                "store.memoryBodies", "both");
        assertTrue(e.rule().contains("mapped or copy"), e.rule());
    }
}
