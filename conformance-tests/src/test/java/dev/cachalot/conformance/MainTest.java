package dev.cachalot.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Command-line parsing: clear errors for bad input. */
class MainTest {
    @Test
    void requiresCache() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Main.Options.parse(new String[0]));
        assertTrue(e.getMessage().contains("--cache"));
    }

    @Test
    void rejectsUnknownCapabilityAndBadUrl() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Main.Options.parse(
                new String[] {"--cache", "http://127.0.0.1:1", "--capabilities", "time-travel"}));
        assertTrue(e.getMessage().contains("time-travel"));
        e = assertThrows(IllegalArgumentException.class, () -> Main.Options.parse(new String[] {"--cache", "127.0.0.1:80"}));
        assertTrue(e.getMessage().contains("http://127.0.0.1:PORT"));
    }

    @Test
    void parsesOptions() {
        Main.Options o = Main.Options.parse(new String[] {"--cache", "http://127.0.0.1:8080", "--origin-port", "0",
                "--capabilities", "purge,persistence", "--name", "x", "--only", "^store-"});
        assertEquals(0, o.originPort);
        assertTrue(o.capabilities.containsAll(java.util.List.of("reverse", "purge", "persistence")));
        Runner.Config c = o.config();
        assertEquals(8080, c.cachePort());
        assertEquals(8080, c.proxyPort());
        assertEquals("^store-", c.only());
    }

    @Test
    void listsTests() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        assertEquals(0, Main.run(new String[] {"list"}, new PrintStream(buf, true, StandardCharsets.UTF_8)));
        assertTrue(buf.toString(StandardCharsets.UTF_8).contains("store-no-store"));
    }
}
