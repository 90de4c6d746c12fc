package dev.cachalot.store;

import static dev.cachalot.store.Fixtures.body;
import static dev.cachalot.store.Fixtures.head;
import static dev.cachalot.store.Fixtures.put;
import static dev.cachalot.store.Fixtures.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tier interplay: write-through, promotion by frequency, head mirroring, stale memory copies. */
class TieredCacheStoreTest {
  private static final Duration HOUR = Duration.ofHours(1);

  @TempDir Path dir;
  private final TestClock clock = new TestClock();

  private TieredCacheStore open() throws IOException {
    return TieredCacheStore.open(Fixtures.small(dir).build(), clock);
  }

  @Test
  void smallWritesAreServedFromMemoryAndPersisted() throws IOException {
    StoreKey k = StoreKey.of("https://a.example/small");
    try (TieredCacheStore store = open()) {
      put(store, k, head(clock.now(), HOUR, "\"s\""), body(1, 3000), 3000, clock.now());
      StoredEntry e = store.lookup(k, clock.now()).orElseThrow();
      assertEquals(StoreTier.MEMORY_MAPPED, e.tier(), "one copy: a view of the disk tier's chunk");
      assertTrue(e.bodyBuffer().orElseThrow().isDirect(), "memory bodies are off-heap");
    }
    try (TieredCacheStore store = open()) {
      StoredEntry e = store.lookup(k, clock.now()).orElseThrow();
      assertEquals(StoreTier.DISK, e.tier());
      assertArrayEquals(body(1, 3000), read(e));
    }
  }

  @Test
  void diskEntriesArePromotedAfterRepeatedHitsOnly() throws IOException {
    StoreKey small = StoreKey.of("https://a.example/promote-small");
    StoreKey streamed = StoreKey.of("https://a.example/promote-streamed"); // above the inline-read size
    try (TieredCacheStore store = open()) {
      put(store, small, head(clock.now(), HOUR, "\"a\""), body(1, 3000), 3000, clock.now());
      put(store, streamed, head(clock.now(), HOUR, "\"b\""), body(2, 40_000), 9000, clock.now());
    }
    try (TieredCacheStore store = open()) {
      for (StoreKey k : new StoreKey[] {small, streamed}) {
        assertEquals(StoreTier.DISK, store.lookup(k, clock.now()).orElseThrow().tier(), "first hit");
        assertEquals(StoreTier.DISK, store.lookup(k, clock.now()).orElseThrow().tier(), "second hit promotes");
        StoredEntry e = store.lookup(k, clock.now()).orElseThrow();
        assertTrue(e.tier().memory(), "third hit from memory");
        assertArrayEquals(read(store.diskTier().orElseThrow().lookup(k, clock.now()).orElseThrow()), read(e));
        assertEquals(0, store.diskTier().orElseThrow().hitCount(k) - 1, "hit count restarted after promotion");
      }
      assertEquals(2, store.stats().promotions());
    }
  }

  @Test
  void replacedHeadReachesBothTiers() throws IOException {
    StoreKey k = StoreKey.of("https://a.example/mirror");
    EntryHead h2 = head(clock.now().plusSeconds(5), Duration.ofDays(2), "\"2\"");
    try (TieredCacheStore store = open()) {
      put(store, k, head(clock.now(), HOUR, "\"1\""), body(1, 2000), 2000, clock.now());
      StoredEntry e = store.lookup(k, clock.now()).orElseThrow();
      assertEquals(StoreTier.MEMORY_MAPPED, e.tier());
      assertEquals(ReplaceOutcome.REPLACED, store.replaceHead(e, h2, clock.now()));
      StoredEntry m = store.lookup(k, clock.now()).orElseThrow();
      assertEquals(StoreTier.MEMORY_MAPPED, m.tier());
      assertEquals(h2, m.head());
      assertEquals(1, m.headVersion());
    }
    try (TieredCacheStore store = open()) {
      StoredEntry d = store.lookup(k, clock.now()).orElseThrow();
      assertEquals(h2, d.head());
      assertEquals(1, d.headVersion());
    }
  }

  @Test
  void largeBodyReplacingASmallOneIsNotShadowedByTheOldMemoryCopy() throws IOException {
    StoreKey k = StoreKey.of("https://a.example/grow");
    try (TieredCacheStore store = open()) {
      put(store, k, head(clock.now(), HOUR, "\"small\""), body(1, 1000), 1000, clock.now());
      assertEquals(StoreTier.MEMORY_MAPPED, store.lookup(k, clock.now()).orElseThrow().tier());
      byte[] large = body(2, 200_000); // above cache.memory.max-object-bytes (64 KiB here)
      put(store, k, head(clock.now(), HOUR, "\"large\""), large, 16_384, clock.now());
      StoredEntry e = store.lookup(k, clock.now()).orElseThrow();
      assertEquals(StoreTier.DISK, e.tier());
      assertArrayEquals(large, read(e));
      assertTrue(e.bodyBuffer().isEmpty(), "large disk bodies stream, they are not buffered whole");
    }
  }

  @Test
  void theIoThreadViewServesDiskHitsButPromotesOnlyBodiesItAlreadyHolds() throws IOException {
    StoreKey small = StoreKey.of("https://a.example/io-small");
    StoreKey streamed = StoreKey.of("https://a.example/io-streamed"); // above the inline-read size
    try (TieredCacheStore store = open()) {
      put(store, small, head(clock.now(), HOUR, "\"a\""), body(1, 3000), 3000, clock.now());
      put(store, streamed, head(clock.now(), HOUR, "\"b\""), body(2, 40_000), 9000, clock.now());
    }
    try (TieredCacheStore store = open()) {
      CacheStore io = store.ioThreadStore();
      for (int i = 0; i < 3; i++) {
        try (StoredEntry e = io.lookup(streamed, clock.now()).orElseThrow()) {
          assertEquals(StoreTier.DISK, e.tier(), "a streamed body is not read to promote it on the I/O thread");
        }
      }
      try (StoredEntry e = store.lookup(streamed, clock.now()).orElseThrow()) {
        assertEquals(StoreTier.DISK, e.tier(), "a worker lookup promotes it");
      }
      assertEquals(StoreTier.MEMORY, store.lookup(streamed, clock.now()).orElseThrow().tier());
      io.lookup(small, clock.now()).orElseThrow().close();
      io.lookup(small, clock.now()).orElseThrow().close(); // its body is a view: promoted from here
      assertEquals(StoreTier.MEMORY_MAPPED, io.lookup(small, clock.now()).orElseThrow().tier());
    }
    StoreConfig off = Fixtures.small(dir).diskAnswerOnIoThread(false).build();
    try (TieredCacheStore store = TieredCacheStore.open(off, clock)) {
      assertTrue(store.ioThreadStore() == store.memoryTier(), "off: the I/O thread reads memory only");
    }
  }
}
