package dev.cachalot.store;

/** One stored header field: an opaque name/value pair (the store attaches no meaning to it). */
public record HeaderField(String name, String value) {
  /**
   * Rejects nulls so every stored field can be encoded; the name's text is shared with other heads
   * ({@link FieldNames}), which saves heap per entry without changing the name.
   */
  public HeaderField {
    if (name == null || value == null) {
      throw new IllegalArgumentException("header field name and value must not be null");
    }
    name = FieldNames.shared(name);
  }
}
