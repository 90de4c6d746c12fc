package dev.cachalot.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class FieldNamesTest {
  /** A string equal to {@code s} but not the same object (as a parser makes it). */
  private static String fresh(String s) {
    return new String(s.toCharArray());
  }

  @Test
  void equalNamesOfDifferentFieldsShareOneStringAndKeepTheirText() {
    HeaderField a = new HeaderField(fresh("X-Test-Shared-Name"), "1");
    HeaderField b = new HeaderField(fresh("X-Test-Shared-Name"), "2");
    assertSame(a.name(), b.name());
    assertEquals("X-Test-Shared-Name", b.name());
    HeaderField lower = new HeaderField(fresh("x-test-shared-name"), "3");
    assertEquals("x-test-shared-name", lower.name(), "case is kept: names are opaque to the store");
  }

  @Test
  void valuesAndOverlongNamesAreNotShared() {
    HeaderField a = new HeaderField("N", fresh("same value"));
    HeaderField b = new HeaderField("N", fresh("same value"));
    assertNotSame(a.value(), b.value());
    String longName = "X-" + "a".repeat(FieldNames.MAX_LENGTH);
    assertNotSame(new HeaderField(fresh(longName), "").name(), new HeaderField(fresh(longName), "").name());
  }
}
