package dev.cachalot.policy;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RFC 8941 serialisation and dictionary parsing. */
class StructuredFieldsTest {

    @Test
    void parsesDictionaryMembersOfEveryBareType() {
        Map<String, Object> d = StructuredFields.parseDictionary(
                "a=1, b=\"x\\\"y\", c=tok/en, d, e=?0, f=1.5, g=:aGk=:, h=(1 2);p=3, i=-4;q").orElseThrow();
        assertEquals(1L, d.get("a"));
        assertEquals("x\"y", d.get("b"));
        assertEquals(new StructuredFields.Token("tok/en"), d.get("c"));
        assertEquals(Boolean.TRUE, d.get("d"));
        assertEquals(Boolean.FALSE, d.get("e"));
        assertEquals(new BigDecimal("1.5"), d.get("f"));
        assertArrayEquals("hi".getBytes(java.nio.charset.StandardCharsets.US_ASCII), (byte[]) d.get("g"));
        assertEquals(List.of(1L, 2L), d.get("h"));
        assertEquals(-4L, d.get("i"));
    }

    @Test
    void laterDuplicateKeyOverwrites() {
        assertEquals(2L, StructuredFields.parseDictionary("max-age=1, max-age=2").orElseThrow().get("max-age"));
    }

    @Test
    void syntaxErrorsFailTheWholeField() {
        for (String bad : new String[] {"A=1", "a=1,", "a=\"open", "a=1 b=2", "a=1234567890123456", "a=1.2345", "a=@"}) {
            assertEquals(Optional.empty(), StructuredFields.parseDictionary(bad), bad);
        }
    }

    @Test
    void serialisesItemsWithParameters() {
        StructuredFields.Item it = new StructuredFields.Item(new StructuredFields.Token("Cache"),
                new java.util.LinkedHashMap<>(Map.of("n", 5L)));
        assertEquals("Cache;n=5", StructuredFields.serializeList(List.of(it)));
        StringBuilder sb = new StringBuilder();
        StructuredFields.serializeBare(new BigDecimal("2.50"), sb);
        StructuredFields.serializeBare(Boolean.FALSE, sb);
        assertEquals("2.5?0", sb.toString());
    }

    @Test
    void rejectsUnserialisableValues() {
        assertThrows(IllegalArgumentException.class, () -> StructuredFields.serializeBare("caf\u00e9", new StringBuilder()));
        assertThrows(IllegalArgumentException.class, () -> new StructuredFields.Token("1abc"));
        assertThrows(IllegalArgumentException.class, () -> StructuredFields.serializeBare(10_000_000_000_000_000L,
                new StringBuilder()));
    }

    @Test
    void tokenAndKeyGrammar() {
        assertTrue(StructuredFields.isToken("Cachalot"));
        assertTrue(StructuredFields.isToken("*a:b/c"));
        assertFalse(StructuredFields.isToken("a b"));
        assertTrue(StructuredFields.isKey("fwd-status"));
        assertFalse(StructuredFields.isKey("Fwd"));
    }
}
