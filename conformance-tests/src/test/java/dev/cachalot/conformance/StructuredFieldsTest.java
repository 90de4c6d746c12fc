package dev.cachalot.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.conformance.sf.StructuredFields;
import dev.cachalot.conformance.sf.StructuredFields.Member;
import dev.cachalot.conformance.sf.StructuredFields.Token;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The RFC 8941 parser used to judge Cache-Status (RFC 9211) and CDN-Cache-Control (RFC 9213). */
class StructuredFieldsTest {
    @Test
    void parsesCacheStatusExamplesFromRfc9211() {
        List<Member> ms = StructuredFields.parseList("ExampleCache; hit; ttl=376, \"Other Cache\"; fwd=uri-miss; stored");
        assertEquals(2, ms.size());
        assertEquals("ExampleCache", ms.get(0).token());
        assertEquals(Boolean.TRUE, ms.get(0).params().get("hit"));
        assertEquals(376L, ms.get(0).params().get("ttl"));
        assertEquals("Other Cache", ms.get(1).value());
        assertEquals(new Token("uri-miss"), ms.get(1).params().get("fwd"));
        assertEquals(Boolean.TRUE, ms.get(1).params().get("stored"));
    }

    @Test
    void parsesAllBareItemTypes() {
        List<Member> ms = StructuredFields.parseList("a;b=?0;c=-12;d=1.5;e=\"x\\\"y\";f=:aGk=:;g=*tok/en, (1 2);p");
        Map<String, Object> p = ms.get(0).params();
        assertEquals(Boolean.FALSE, p.get("b"));
        assertEquals(-12L, p.get("c"));
        assertEquals(new BigDecimal("1.5"), p.get("d"));
        assertEquals("x\"y", p.get("e"));
        assertEquals("hi", new String(((StructuredFields.Bytes) p.get("f")).value()));
        assertEquals(new Token("*tok/en"), p.get("g"));
        assertTrue(ms.get(1).value() instanceof List);
        assertEquals(Boolean.TRUE, ms.get(1).params().get("p"));
    }

    @Test
    void emptyFieldIsAnEmptyList() {
        assertEquals(0, StructuredFields.parseList("").size());
    }

    @Test
    void rejectsInvalidSyntax() {
        for (String bad : new String[] {"a,", "a;B=1", "a;b=", "\"unterminated", "a b", "1234567890123456", "a;b=1.2345",
                "?2", "a,,b", "a;b=\"\u00e9\""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> StructuredFields.parseList(bad), bad);
            assertTrue(e.getMessage().contains("position"), e.getMessage());
        }
    }

    @Test
    void parsesDictionaries() {
        Map<String, Member> d = StructuredFields.parseDictionary("max-age=60, no-store, private");
        assertEquals(60L, d.get("max-age").value());
        assertEquals(Boolean.TRUE, d.get("no-store").value());
        assertEquals(3, d.size());
        assertThrows(IllegalArgumentException.class, () -> StructuredFields.parseDictionary("max-age=3600, \"bad"));
    }
}
