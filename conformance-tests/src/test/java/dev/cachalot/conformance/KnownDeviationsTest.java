package dev.cachalot.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.conformance.dsl.TestCase;
import dev.cachalot.conformance.suite.Catalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The known-deviations file format and the project's own file. */
class KnownDeviationsTest {
    @Test
    void parsesEntriesAndIgnoresComments() {
        KnownDeviations kd = KnownDeviations.parse("f.txt", List.of("# comment", "", "store-no-store: stores it anyway (why)",
                "  via-request : gateway mode sends no Via yet  "));
        assertEquals("stores it anyway (why)", kd.reason("store-no-store"));
        assertEquals("gateway mode sends no Via yet", kd.reason("via-request"));
        assertNull(kd.reason("other"));
    }

    @Test
    void rejectsEntriesWithoutReasonNamingFileAndLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KnownDeviations.parse("kd.txt", List.of("# x", "store-no-store:")));
        assertTrue(e.getMessage().startsWith("kd.txt line 2: "), e.getMessage());
        assertTrue(e.getMessage().contains("store-no-store"), e.getMessage());
    }

    @Test
    void rejectsMalformedIdsAndDuplicates() {
        assertThrows(IllegalArgumentException.class, () -> KnownDeviations.parse("f", List.of("Bad Id: a long enough reason")));
        assertThrows(IllegalArgumentException.class, () -> KnownDeviations.parse("f", List.of("no colon here")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KnownDeviations.parse("f",
                List.of("a-b: a long enough reason", "a-b: another long reason")));
        assertTrue(e.getMessage().contains("twice"));
    }

    @Test
    void projectFileParsesAndNamesOnlyExistingTests() throws Exception {
        Path file = Path.of("known-deviations.txt");
        assertTrue(Files.exists(file), "conformance-tests/known-deviations.txt must exist");
        KnownDeviations kd = KnownDeviations.load(file);
        Set<String> ids = Catalog.all().stream().map(TestCase::id).collect(Collectors.toSet());
        for (String id : kd.all().keySet()) {
            assertTrue(ids.contains(id), "known-deviations.txt lists unknown test " + id);
        }
    }
}
