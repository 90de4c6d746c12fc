package dev.cachalot.accesslog;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/operations.md documents every access log placeholder and the built-in combined pattern. */
class AccessLogDocTest {
    @Test
    void everyPlaceholderAndTheDefaultPatternAreDocumented() throws Exception {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("docs/operations.md"))) {
            dir = dir.getParent();
        }
        assertTrue(dir != null, "docs/operations.md not found");
        String text = Files.readString(dir.resolve("docs/operations.md"));
        for (AccessLogField f : AccessLogField.values()) {
            assertTrue(text.contains("| `%{" + f.placeholder + "}` |"), "undocumented placeholder %{" + f.placeholder + "}");
        }
        assertTrue(text.contains(AccessLogFormat.COMBINED), "the combined pattern in the doc differs from the code");
    }
}
