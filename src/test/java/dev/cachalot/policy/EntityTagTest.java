package dev.cachalot.policy;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RFC 9110 §8.8.3 entity tags and comparison. */
class EntityTagTest {

    private static EntityTag t(String s) {
        return EntityTag.parse(s).orElseThrow();
    }

    @Test
    void strongAndWeakComparisonFollowTheRfcTable() {
        // RFC 9110 §8.8.3.2 example table.
        assertFalse(t("W/\"1\"").strongMatch(t("W/\"1\"")));
        assertTrue(t("W/\"1\"").weakMatch(t("W/\"1\"")));
        assertFalse(t("W/\"1\"").strongMatch(t("W/\"2\"")));
        assertFalse(t("W/\"1\"").weakMatch(t("W/\"2\"")));
        assertFalse(t("W/\"1\"").strongMatch(t("\"1\"")));
        assertTrue(t("W/\"1\"").weakMatch(t("\"1\"")));
        assertTrue(t("\"1\"").strongMatch(t("\"1\"")));
    }

    @Test
    void malformedTagsAreRejected() {
        assertFalse(EntityTag.parse("abc").isPresent());
        assertFalse(EntityTag.parse("\"a\"b\"").isPresent());
        assertFalse(EntityTag.parse("w/\"a\"").isPresent());
        assertEquals("", t("\"\"").opaque());
    }

    @Test
    void conditionListsParse() {
        EntityTag.Condition c = EntityTag.Condition.parse(List.of("\"a\", W/\"b\"", "\"c\""));
        assertTrue(c.valid());
        assertEquals(3, c.tags().size());
        assertTrue(c.matchesWeak(t("\"b\"")));
        assertFalse(c.matchesStrong(t("\"b\"")));
        assertTrue(c.matchesStrong(t("\"c\"")));
        assertFalse(EntityTag.Condition.parse(List.of("\"a\", junk")).valid());
        assertTrue(EntityTag.Condition.parse(List.of("*")).any());
        assertFalse(EntityTag.Condition.parse(List.of()).valid());
    }

    @Test
    void formatRoundTrips() {
        assertEquals("W/\"x\"", t("W/\"x\"").format());
        assertEquals("\"x\"", t(" \"x\" ").toString());
    }
}
