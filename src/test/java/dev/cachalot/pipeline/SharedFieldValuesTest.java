package dev.cachalot.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class SharedFieldValuesTest {
    private static String fresh(String s) {
        return new String(s.toCharArray());
    }

    @Test
    void lowCardinalityFieldsShareTheirValueWhateverTheNameCase() {
        String a = SharedFieldValues.shared("Content-Type", fresh("text/x-shared-test"));
        String b = SharedFieldValues.shared("content-type", fresh("text/x-shared-test"));
        assertSame(a, b);
        assertEquals("text/x-shared-test", b);
    }

    @Test
    void perObjectFieldsAndLongValuesKeepTheirOwnString() {
        assertNotSame(SharedFieldValues.shared("ETag", fresh("\"abc\"")),
                SharedFieldValues.shared("ETag", fresh("\"abc\"")));
        String longValue = "x".repeat(SharedFieldValues.MAX_LENGTH + 1);
        assertNotSame(SharedFieldValues.shared("Cache-Control", fresh(longValue)),
                SharedFieldValues.shared("Cache-Control", fresh(longValue)));
    }
}
