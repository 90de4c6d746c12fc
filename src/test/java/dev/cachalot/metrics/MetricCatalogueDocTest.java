package dev.cachalot.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/operations.md lists exactly the catalogued metrics, each with its type and labels. */
class MetricCatalogueDocTest {
    private static final Pattern ROW = Pattern.compile("^\\| `([a-z_]+)` \\| (counter|gauge|summary) \\| ([^|]*) \\|",
            Pattern.MULTILINE);

    static Path doc(String name) {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("docs").resolve(name))) {
            dir = dir.getParent();
        }
        assertTrue(dir != null, "docs/" + name + " not found above " + Path.of("").toAbsolutePath());
        return dir.resolve("docs").resolve(name);
    }

    @Test
    void operationsDocListsEveryMetricWithItsTypeAndLabels() throws IOException {
        String text = Files.readString(doc("operations.md"));
        Map<String, String[]> rows = new LinkedHashMap<>();
        Matcher m = ROW.matcher(text);
        while (m.find()) {
            rows.put(m.group(1), new String[] {m.group(2), m.group(3).trim()});
        }
        for (MetricDef def : MetricNames.ALL) {
            String[] row = rows.get(def.name());
            assertTrue(row != null, "docs/operations.md has no row for " + def.name());
            assertEquals(def.kind().name().toLowerCase(), row[0], def.name());
            for (String label : def.labels()) {
                assertTrue(row[1].contains("`" + label + "`"), def.name() + " row lacks label " + label);
            }
        }
        for (String documented : rows.keySet()) {
            assertTrue(MetricNames.ALL.stream().anyMatch(d -> d.name().equals(documented)),
                    "docs/operations.md documents " + documented + ", which is not in MetricNames");
        }
    }
}
