package dev.cachalot.conformance;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.conformance.dsl.Level;
import dev.cachalot.conformance.dsl.TestCase;
import dev.cachalot.conformance.suite.Catalog;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The catalogue: size, coverage of the RFCs and well-formed metadata. */
class CatalogTest {
    private final List<TestCase> all = Catalog.all();

    @Test
    void hasAtLeast250Tests() {
        assertTrue(all.size() >= 250, "only " + all.size() + " tests");
    }

    @Test
    void coversEveryRfcOfTheIssue() {
        for (String rfc : List.of("9111", "9110", "9112", "5861", "9211", "9213")) {
            assertTrue(all.stream().anyMatch(t -> t.rfc().equals(rfc)), "no test for RFC " + rfc);
        }
    }

    @Test
    void everyTestHasTitleRationaleAndALevel() {
        Map<Level, Integer> perLevel = new EnumMap<>(Level.class);
        for (TestCase t : all) {
            assertFalse(t.title().isBlank(), t.id());
            assertTrue(t.rationale().length() > 20, t.id() + " needs a rationale quoting the requirement");
            assertTrue(t.url().startsWith("https://www.rfc-editor.org/rfc/rfc"), t.id());
            perLevel.merge(t.level(), 1, Integer::sum);
        }
        assertTrue(perLevel.get(Level.MUST) > 150, perLevel.toString());
    }

    @Test
    void optionalCapabilitiesAreDeclared() {
        Set<String> known = Set.of("forward-proxy", "purge", "persistence", "cdn-cache-control");
        for (TestCase t : all) {
            assertTrue(known.containsAll(t.capabilities()), t.id() + " " + t.capabilities());
        }
        assertTrue(all.stream().anyMatch(t -> t.capabilities().contains("persistence")));
    }

    @Test
    void testCaseValidatesIdAndAnchor() {
        assertThrows(IllegalArgumentException.class,
                () -> new TestCase("Bad_Id", "t", "rfc9111#section-3", Level.MUST, "r", Set.of(), c -> { }));
        assertThrows(IllegalArgumentException.class,
                () -> new TestCase("ok-id", "t", "section 3", Level.MUST, "r", Set.of(), c -> { }));
    }
}
