package dev.cachalot.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@code store.sendfile}: on by default (bodies sent from the store's file), false restores the views. */
class StoreSendfileConfigTest {
    @Test
    void defaultsToOnAndCanBeSwitchedOff() {
        assertTrue(ConfigLoader.parse("f", "store:\n  dir: ./var/cache\n").store().sendfile());
        assertFalse(ConfigLoader.parse("f", "store:\n  sendfile: false\n").store().sendfile());
    }

    @Test
    void aBadValueFailsNamingFileAndKey() {
        ConfigErrors.rejected("cachalot.yaml", "store:\n  sendfile: sometimes\n", "store.sendfile", "sometimes");
    }
}
