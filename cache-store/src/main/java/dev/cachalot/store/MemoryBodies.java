package dev.cachalot.store;

import java.util.Locale;

/**
 * How the memory tier holds the body of an entry the disk tier also holds ({@code cache.memory.bodies}).
 */
public enum MemoryBodies {
  /**
   * One copy of each body: a memory-tier entry of a body the disk tier holds as one chunk in its
   * mapped file is a read-only view of that chunk (the page cache), kept alive by a lease on the
   * disk entry; other bodies (several chunks, a chunk outside the mapped window, memory-only
   * stores, a failed disk commit) are copied as with {@link #COPY}. The default.
   */
  MAPPED,
  /**
   * The memory tier keeps its own off-heap copy of every body, independent of the page cache
   * (the behaviour before 2026-11-26): twice the RAM per body held in both tiers, but a memory hit
   * never touches the mapped file.
   */
  COPY;

  /** The configuration word: {@code mapped} or {@code copy}. */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a configuration word (case-insensitive).
   *
   * @throws StoreConfigException naming {@code cache.memory.bodies} when the word is neither
   */
  public static MemoryBodies parse(String word) {
    for (MemoryBodies b : values()) {
      if (b.word().equalsIgnoreCase(word == null ? "" : word.strip())) {
        return b;
      }
    }
    throw new StoreConfigException("cache.memory.bodies", word, "must be mapped or copy");
  }
}
