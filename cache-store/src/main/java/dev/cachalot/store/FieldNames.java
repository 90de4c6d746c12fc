package dev.cachalot.store;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Shares the text of header field names across stored heads. Every cached response repeats the
 * same dozen names ({@code Content-Type}, {@code ETag}, ...), and each head used to hold its own
 * copies: about 50 bytes of heap per field, several hundred per entry. The table is bounded
 * ({@value #MAX_NAMES} names, each at most {@value #MAX_LENGTH} characters); once full, new names
 * are simply kept as they are, so a sender of endless distinct names cannot grow it.
 */
final class FieldNames {
  static final int MAX_NAMES = 4096;
  static final int MAX_LENGTH = 64;

  private static final ConcurrentHashMap<String, String> NAMES = new ConcurrentHashMap<>();

  private FieldNames() {}

  /** The shared instance equal to {@code name} (the same text, exact case), or {@code name} itself. */
  static String shared(String name) {
    String s = NAMES.get(name);
    if (s != null) {
      return s;
    }
    if (name.length() > MAX_LENGTH || NAMES.size() >= MAX_NAMES) {
      return name;
    }
    s = NAMES.putIfAbsent(name, name);
    return s == null ? name : s;
  }

  /** Names in the table (tests). */
  static int size() {
    return NAMES.size();
  }
}
