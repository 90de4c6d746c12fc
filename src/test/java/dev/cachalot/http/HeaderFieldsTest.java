package dev.cachalot.http;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RFC 9110 §5 field lines: case-insensitive names, ordered lines, list combination. */
class HeaderFieldsTest {

    @Test
    void namesMatchCaseInsensitivelyAndKeepTheirCase() {
        HeaderFields h = HeaderFields.of("Cache-Control", "a", "cache-control", "b", "X", "1");
        assertEquals("a", h.first("CACHE-CONTROL"));
        assertEquals(List.of("a", "b"), h.all("cache-Control"));
        assertEquals(2, h.count("Cache-Control"));
        assertEquals("cache-control", h.name(1));
        assertTrue(h.contains("x"));
        assertNull(h.first("Y"));
    }

    @Test
    void combinedJoinsLinesWithCommaSpace() {
        assertEquals("a, b", HeaderFields.of("V", "a", "v", "b").combined("V"));
        assertNull(HeaderFields.empty().combined("V"));
    }

    @Test
    void listElementsSplitOutsideQuotesAndDropEmpties() {
        HeaderFields h = HeaderFields.of("L", " a , \"b,c\" ,, d\t", "L", "e");
        assertEquals(List.of("a", "\"b,c\"", "d", "e"), h.listElements("l"));
        List<String> out = new ArrayList<>();
        HeaderFields.splitList("\"x\\\",y\", z", out);
        assertEquals(List.of("\"x\\\",y\"", "z"), out);
    }

    @Test
    void editsReturnCopies() {
        HeaderFields h = HeaderFields.of("A", "1", "B", "2", "a", "3");
        assertEquals(HeaderFields.of("B", "2"), h.without("a"));
        assertSame(h, h.without("Z"));
        assertEquals(List.of("9"), h.with("A", "9").all("A"));
        assertEquals(3, h.size());
        assertEquals(HeaderFields.of("a", "1", "B", "2", "A", "3"), h);
        assertEquals(h.hashCode(), HeaderFields.of("a", "1", "b", "2", "A", "3").hashCode());
    }

    @Test
    void oddNamesAndValuesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> HeaderFields.of("A"));
        assertThrows(NullPointerException.class, () -> HeaderFields.builder().add("A", null));
    }

    @Test
    void builderSetRemoveAndForEachKeepOrder() {
        HeaderFields h = HeaderFields.builder().add("A", "1").add("B", "2").set("a", "x").build();
        List<String> seen = new ArrayList<>();
        h.forEach((n, v) -> seen.add(n + "=" + v));
        assertEquals(List.of("B=2", "a=x"), seen);
        assertFalse(h.isEmpty());
        assertTrue(HeaderFields.builder().build().isEmpty());
        assertEquals("B: 2\r\na: x\r\n", h.toString());
    }
}
