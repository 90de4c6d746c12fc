package dev.cachalot.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Assertions for configuration errors: a bad file fails at start naming the file, the key and the value. */
final class ConfigErrors {
    private ConfigErrors() {
    }

    /**
     * Parses {@code yaml} as the file {@code file}, expects it to be refused for {@code key} holding
     * {@code value}, and returns the error so the caller can check its rule.
     */
    static ConfigException rejected(String file, String yaml, String key, String value) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(file, yaml));
        assertEquals(file, e.source(), "the file");
        assertEquals(key, e.key(), "the key");
        assertEquals(value, e.value(), "the value");
        return e;
    }
}
