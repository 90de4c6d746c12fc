package dev.cachalot.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

/** Key hashes are part of the on-disk format: they must never change between versions. */
class StoreKeyTest {
  @Test
  void hashesArePinned() {
    // Golden values: if these change, existing disk caches become unreadable.
    assertEquals(0x000bf90c6e11067fL, StoreKey.of("https://a.example/x").primaryHash());
    assertEquals(0xd83a9c9d3e970167L, StoreKey.of("https://a.example/y").primaryHash());
    assertEquals(0x25ad9d1b70de62d1L, StoreKey.of("a").primaryHash());
    assertEquals(StoreKey.of("https://a.example/x").primaryHash(), StoreKey.of("https://a.example/x", "gzip").primaryHash());
    assertNotEquals(StoreKey.of("https://a.example/x").hash(), StoreKey.of("https://a.example/x", "gzip").hash());
    assertEquals(StoreKey.of("https://a.example/x").hash(), StoreKey.of("https://a.example/x").primaryHash());
  }

  @Test
  void equalityCoversPrimaryAndVariant() {
    assertEquals(StoreKey.of("a", "b"), StoreKey.of("a", "b"));
    assertNotEquals(StoreKey.of("a", "b"), StoreKey.of("a", "c"));
    assertNotEquals(StoreKey.of("ab", ""), StoreKey.of("a", "b"));
    assertEquals(StoreKey.of("a"), StoreKey.of("a", "b").primaryKey());
  }
}
