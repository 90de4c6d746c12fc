package dev.cachalot.store.tier;

import static dev.cachalot.store.Fixtures.body;
import static dev.cachalot.store.Fixtures.bytes;
import static dev.cachalot.store.Fixtures.head;
import static dev.cachalot.store.Fixtures.put;
import static dev.cachalot.store.Fixtures.view;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.store.CommitResult;
import dev.cachalot.store.EntryHead;
import dev.cachalot.store.Fixtures;
import dev.cachalot.store.MemoryBodies;
import dev.cachalot.store.ReplaceOutcome;
import dev.cachalot.store.StoreConfig;
import dev.cachalot.store.StoreKey;
import dev.cachalot.store.StoreTier;
import dev.cachalot.store.StoredEntry;
import dev.cachalot.store.TestClock;
import dev.cachalot.store.TieredCacheStore;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One copy of each body ({@code cache.memory.bodies: mapped}): a memory-tier entry of a body the disk
 * tier holds as one mapped chunk is a view of that chunk, not an off-heap copy; it holds one disk
 * lease for as long as the memory entry or any hit on it exists (hits take a reference on the entry,
 * not a lease), so replace, remove, removeAll, expiry and eviction of either tier never let the
 * chunk be reused under a hit (the {@link LeaseTest} scenarios, for memory views). Other bodies and
 * {@code copy} keep their own copy.
 */
class MemoryViewTest {
  private static final Duration HOUR = Duration.ofHours(1);
  private static final int SIZE = 3000; // one 4 KiB chunk

  @TempDir Path dir;
  private final TestClock clock = new TestClock();
  private ChronicleTier disk;

  private TieredCacheStore open(StoreConfig config) throws IOException {
    disk = ChronicleTier.openWithoutSweeper(config, clock, new Random(7));
    return new TieredCacheStore(config, CaffeineTier.create(config, clock), disk);
  }

  private TieredCacheStore open() throws IOException {
    return open(Fixtures.small(dir).build());
  }

  private StoredEntry memoryHit(TieredCacheStore store, StoreKey k) {
    StoredEntry e = store.lookup(k, clock.now()).orElseThrow();
    assertEquals(StoreTier.MEMORY_MAPPED, e.tier(), "a memory hit on a view");
    return e;
  }

  /** Writes other entries into the space a removal may have freed. */
  private void overwrite(TieredCacheStore store, int n, int seed) {
    for (int i = 0; i < n; i++) {
      put(store, StoreKey.of("https://a.example/filler" + seed + "-" + i), head(clock.now(), HOUR, "\"f\""),
          body(1000L * seed + i, SIZE), SIZE, clock.now());
    }
  }

  private static long directBytes() {
    for (BufferPoolMXBean p : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      if (p.getName().equals("direct")) {
        return p.getTotalCapacity();
      }
    }
    throw new IllegalStateException("no direct buffer pool");
  }

  @Test
  void aCommittedSingleChunkBodyIsHeldInMemoryAsAViewOfTheMappedFileWithoutAnOffHeapCopy() throws IOException {
    int n = 200;
    try (TieredCacheStore store = open()) {
      long before = directBytes();
      for (int i = 0; i < n; i++) {
        assertTrue(put(store, StoreKey.of("https://a.example/v" + i), head(clock.now(), HOUR, "\"v\""),
            body(i, SIZE), SIZE, clock.now()).committed());
      }
      long grown = directBytes() - before;
      assertTrue(grown < (long) n * SIZE / 4,
          "no off-heap copy per body: direct buffers grew by " + grown + " B for " + n + " bodies of " + SIZE);
      assertEquals(n, store.memoryTier().tierStats().entries(), "all of them in the memory tier");
      assertEquals(n, disk.leaseStats().outstanding(), "each memory entry holds one disk lease");
      for (int i = 0; i < n; i += 37) {
        try (StoredEntry e = memoryHit(store, StoreKey.of("https://a.example/v" + i))) {
          ByteBuffer b = e.bodyBuffer().orElseThrow();
          assertTrue(b.isDirect() && b.isReadOnly(), "a read-only view of the mapped file");
          assertArrayEquals(body(i, SIZE), bytes(b));
          assertTrue(((BufferedEntry) e).leased(), "the hit holds a reference to release");
        }
      }
    }
    assertEquals(0, disk.leaseStats().leakedAtClose(), "closing the store released every memory view first");
  }

  @Test
  void hitsTakeAReferenceOnTheEntryNotALeaseAndTheLastReleaseFreesTheRemovedChunk() throws IOException {
    StoreKey k = StoreKey.of("https://a.example/ref");
    try (TieredCacheStore store = open()) {
      put(store, k, head(clock.now(), HOUR, "\"a\""), body(1, SIZE), SIZE, clock.now());
      long acquired = disk.leaseStats().acquired();
      for (int i = 0; i < 100; i++) {
        try (StoredEntry e = memoryHit(store, k)) {
          assertArrayEquals(body(1, SIZE), view(e));
        }
      }
      assertEquals(acquired, disk.leaseStats().acquired(), "memory hits take no disk lease (no lease-table churn)");
      assertEquals(1, disk.leaseStats().outstanding());
      StoredEntry hit = memoryHit(store, k);
      long chunks = disk.chunkCount();
      assertTrue(store.remove(k));
      assertTrue(store.lookup(k, clock.now()).isEmpty());
      overwrite(store, 20, 1);
      assertArrayEquals(body(1, SIZE), view(hit), "the hit keeps the old body whole");
      assertEquals(1, disk.leaseStats().pendingFrees(), "the chunk waits for the hit");
      assertEquals(chunks + 20, disk.chunkCount());
      hit.close();
      hit.close();
      assertEquals(20, disk.leaseStats().outstanding(), "only the fillers' memory entries hold leases");
      assertEquals(0, disk.leaseStats().pendingFrees());
      assertEquals(chunks + 19, disk.chunkCount(), "freed after the last release");
      assertThrows(IllegalStateException.class, hit::bodyBuffer, "a released hit refuses its body");
    }
  }

  @Test
  void aMemoryViewKeepsTheOldBodyAcrossReplaceRemoveAllExpiryAndEviction() throws IOException {
    StoreConfig config = Fixtures.small(dir).diskMaxEntries(16).memoryMaxBytes(40_000)
        .memoryMaxObjectBytes(8192).build();
    try (TieredCacheStore store = open(config)) {
      StoreKey replaced = StoreKey.of("https://a.example/replaced");
      StoreKey all = StoreKey.of("https://a.example/all", "v1");
      StoreKey expired = StoreKey.of("https://a.example/expired");
      StoreKey evicted = StoreKey.of("https://a.example/evicted");
      put(store, replaced, head(clock.now(), HOUR, "\"r\""), body(11, SIZE), SIZE, clock.now());
      put(store, all, head(clock.now(), HOUR, "\"a\""), body(12, SIZE), SIZE, clock.now());
      put(store, expired, head(clock.now(), Duration.ofMinutes(1), "\"e\""), body(13, SIZE), SIZE, clock.now());
      put(store, evicted, head(clock.now(), HOUR, "\"v\""), body(14, SIZE), SIZE, clock.now());
      List<StoredEntry> hits = new ArrayList<>();
      for (StoreKey k : List.of(replaced, all, expired, evicted)) {
        hits.add(memoryHit(store, k));
      }
      put(store, replaced, head(clock.now(), HOUR, "\"r2\""), body(21, SIZE), SIZE, clock.now());
      assertEquals(1, store.removeAll(all));
      clock.advance(Duration.ofMinutes(2));
      store.memoryTier().cleanUp();
      assertEquals(1, disk.sweepExpired(clock.now()));
      // Keep writing (into the space freed chunks would leave) until the last one is evicted from
      // disk (sampled eviction, 16 entries at most) and the memory tier (~11 entries) evicted many.
      for (int i = 0; i < 2000 && (disk.hitCount(evicted) >= 0 || i < 40); i++) {
        overwrite(store, 1, 100 + i);
      }
      store.memoryTier().cleanUp();
      assertEquals(-1, disk.hitCount(evicted), "evicted from disk");
      assertTrue(store.memoryTier().tierStats().evictions() >= 20, "memory evicted " + store.memoryTier().tierStats());
      assertArrayEquals(body(11, SIZE), view(hits.get(0)), "replaced");
      assertArrayEquals(body(12, SIZE), view(hits.get(1)), "removeAll");
      assertArrayEquals(body(13, SIZE), view(hits.get(2)), "expired");
      assertArrayEquals(body(14, SIZE), view(hits.get(3)), "evicted");
      long pending = disk.leaseStats().pendingFrees();
      assertTrue(pending >= 4, "each of the four chunks waits for its hit: " + pending);
      // TinyLFU may have kept some of them in memory (they were hit): those chunks wait for that too.
      int kept = 0;
      for (StoredEntry h : hits) {
        boolean[] in = {false};
        store.memoryTier().forEachEntry(clock.now(), e -> {
          in[0] |= e.key().equals(h.key()) && e.entryId() == h.entryId();
          return true;
        });
        kept += in[0] ? 1 : 0;
      }
      for (StoredEntry e : hits) {
        e.close();
      }
      assertEquals(pending - 4 + kept, disk.leaseStats().pendingFrees(), "the hits' chunks were freed on release");
      // What is left waiting belongs to memory entries whose disk entry was evicted: dropping them
      // from memory frees the rest.
      List<StoreKey> inMemory = new ArrayList<>();
      store.memoryTier().forEachEntry(clock.now(), e -> inMemory.add(e.key()));
      for (StoreKey k : inMemory) {
        assertTrue(store.memoryTier().remove(k));
      }
      assertEquals(0, disk.leaseStats().pendingFrees());
      assertEquals(0, disk.leaseStats().outstanding());
      assertEquals(disk.tierStats().entries(), disk.chunkCount(), "every deferred chunk freed, none leaked");
    }
  }

  @Test
  void concurrentReplacesNeverShowATornOrForeignBodyThroughMemoryViews() throws Exception {
    StoreKey k = StoreKey.of("https://a.example/race");
    int rounds = 300;
    try (TieredCacheStore store = open()) {
      put(store, k, head(clock.now(), HOUR, "\"0\""), body(0, SIZE), SIZE, clock.now());
      int views = ReplaceRace.run(store, k, rounds, SIZE, clock, e -> e.tier() == StoreTier.MEMORY_MAPPED);
      assertTrue(views > 0, "some hits were memory views");
      assertEquals(1, disk.leaseStats().outstanding(), "only the current memory entry's lease");
      assertEquals(0, disk.leaseStats().pendingFrees());
      assertEquals(1, disk.chunkCount(), "only the last body's chunk is left");
      try (StoredEntry e = memoryHit(store, k)) {
        assertArrayEquals(body(rounds, SIZE), view(e));
      }
    }
  }

  @Test
  void aHeadReplacementKeepsExactlyOneLeaseAndAWalkReleasesWhatItVisits() throws IOException {
    StoreKey k = StoreKey.of("https://a.example/mirror");
    try (TieredCacheStore store = open()) {
      put(store, k, head(clock.now(), HOUR, "\"1\""), body(1, SIZE), SIZE, clock.now());
      EntryHead h2 = head(clock.now(), Duration.ofDays(2), "\"2\"");
      try (StoredEntry e = memoryHit(store, k)) {
        assertEquals(ReplaceOutcome.REPLACED, store.replaceHead(e, h2, clock.now()));
      }
      try (StoredEntry e = memoryHit(store, k)) {
        assertEquals(h2, e.head());
        assertEquals(1, e.headVersion());
        assertArrayEquals(body(1, SIZE), view(e));
      }
      assertEquals(1, disk.leaseStats().outstanding(), "the replaced entry's reference was handed over, once");
      List<StoredEntry> visited = new ArrayList<>();
      store.memoryTier().forEachEntry(clock.now(), e -> {
        assertArrayEquals(body(1, SIZE), view(e));
        visited.add(e);
        return true;
      });
      assertEquals(1, visited.size());
      assertThrows(IllegalStateException.class, visited.get(0)::bodyBuffer, "visited bodies are read during the visit");
      assertTrue(store.remove(k));
      assertEquals(0, disk.leaseStats().outstanding());
      assertEquals(0, disk.chunkCount());
    }
  }

  @Test
  void promotionSharesTheDiskHitsViewAndClosingTheStoreReleasesIt() throws IOException {
    StoreKey k = StoreKey.of("https://a.example/promoted");
    try (TieredCacheStore store = open()) {
      put(store, k, head(clock.now(), HOUR, "\"p\""), body(5, SIZE), SIZE, clock.now());
      assertTrue(store.memoryTier().remove(k));
      assertEquals(0, disk.leaseStats().outstanding());
      long direct = directBytes();
      for (int i = 0; i < 2; i++) {
        try (StoredEntry e = store.lookup(k, clock.now()).orElseThrow()) {
          assertEquals(StoreTier.DISK, e.tier());
        }
      }
      assertEquals(1, store.stats().promotions());
      assertTrue(directBytes() - direct < SIZE, "promoted without an off-heap copy");
      try (StoredEntry e = memoryHit(store, k)) {
        assertArrayEquals(body(5, SIZE), view(e));
      }
      assertEquals(1, disk.leaseStats().outstanding());
    }
    assertEquals(0, disk.leaseStats().leakedAtClose());
  }

  @Test
  void otherBodiesMemoryOnlyStoresAndTheCopySettingKeepTheirOwnCopy() throws IOException {
    StoreKey one = StoreKey.of("https://a.example/one-chunk");
    StoreKey two = StoreKey.of("https://a.example/two-chunks");
    try (TieredCacheStore store = open(Fixtures.small(dir).memoryBodies(MemoryBodies.COPY).build())) {
      put(store, one, head(clock.now(), HOUR, "\"1\""), body(1, SIZE), SIZE, clock.now());
      StoredEntry e = store.lookup(one, clock.now()).orElseThrow();
      assertEquals(StoreTier.MEMORY, e.tier(), "copy: the memory tier's own copy");
      assertTrue(e.bodyBuffer().orElseThrow().isDirect());
      assertFalse(((BufferedEntry) e).leased());
      assertEquals(0, disk.leaseStats().outstanding());
    }
    try (TieredCacheStore store = open()) {
      put(store, two, head(clock.now(), HOUR, "\"2\""), body(2, 6000), 6000, clock.now());
      StoredEntry e = store.lookup(two, clock.now()).orElseThrow();
      assertEquals(StoreTier.MEMORY, e.tier(), "a body of two chunks is copied");
      assertTrue(e.bodyBuffer().orElseThrow().isDirect());
      assertArrayEquals(body(2, 6000), view(e));
      assertEquals(0, disk.leaseStats().outstanding());
    }
    StoreConfig memoryOnly = Fixtures.small(dir.resolve("m")).diskEnabled(false).build();
    try (TieredCacheStore store = TieredCacheStore.open(memoryOnly, clock)) {
      put(store, one, head(clock.now(), HOUR, "\"1\""), body(1, SIZE), SIZE, clock.now());
      StoredEntry e = store.lookup(one, clock.now()).orElseThrow();
      assertEquals(StoreTier.MEMORY, e.tier(), "memory only: nothing to view");
      assertTrue(e.bodyBuffer().orElseThrow().isDirect());
    }
  }

  @Test
  void aCommitAnswersItsCallerWithABodyThatNeedsNoClose() throws IOException {
    StoreKey k = StoreKey.of("https://a.example/commit");
    try (TieredCacheStore store = open()) {
      CommitResult r = put(store, k, head(clock.now(), HOUR, "\"c\""), body(9, SIZE), SIZE, clock.now());
      assertTrue(r.durable());
      assertTrue(store.remove(k));
      overwrite(store, 5, 3);
      assertArrayEquals(body(9, SIZE), view(r.entry()), "the commit's own copy, independent of the chunk");
      assertEquals(5, disk.leaseStats().outstanding(), "the commit result holds no lease");
    }
  }

  @Test
  void aBodyServedThroughTheViewIsNotAlsoResidentInChroniclesOwnMapping() throws IOException {
    org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isReadable(Path.of("/proc/self/smaps")),
        "needs Linux /proc/self/smaps");
    int n = 100;
    int size = 16 * 1024;
    StoreConfig config = Fixtures.small(dir).chunkBytes(64 * 1024).memoryMaxObjectBytes(64 * 1024)
        .inlineReadMaxBytes(64 * 1024).averageBodyBytes(size).build();
    try (TieredCacheStore store = open(config)) {
      Path chunks = dir.resolve("chunks.cm3").toAbsolutePath();
      // Warm-up writes first: they fault in the segment headers, hash lookups and free lists that
      // writes touch (dropped from the resident set at open), so the measured growth is the bodies'.
      for (int i = 0; i < 2 * n; i++) {
        put(store, StoreKey.of("https://a.example/w" + i), head(clock.now(), HOUR, "\"w\""), body(-i, size), size,
            clock.now());
      }
      long before = Fixtures.mappingRssKib(chunks, "rw");
      for (int i = 0; i < n; i++) {
        StoreKey k = StoreKey.of("https://a.example/r" + i);
        put(store, k, head(clock.now(), HOUR, "\"r\""), body(i, size), size, clock.now());
        try (StoredEntry e = memoryHit(store, k)) {
          assertArrayEquals(body(i, size), view(e));
        }
      }
      long grown = Fixtures.mappingRssKib(chunks, "rw") - before;
      // Written through Chronicle's mapping, read through the JDK's: without the advice every body's
      // pages (5 per 16 KiB chunk) stay resident in both and RSS counts them twice.
      assertTrue(grown < (long) n * size / 1024 / 4,
          "Chronicle's mapping of chunks.cm3 grew by " + grown + " KiB for " + n + " bodies of 16 KiB");
    }
  }
}
