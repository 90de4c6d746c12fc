package dev.cachalot.store.tier;

import static dev.cachalot.store.Fixtures.body;
import static dev.cachalot.store.Fixtures.head;
import static dev.cachalot.store.Fixtures.put;
import static dev.cachalot.store.Fixtures.view;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.store.BodyFile;
import dev.cachalot.store.Fixtures;
import dev.cachalot.store.MemoryBodies;
import dev.cachalot.store.StoreConfig;
import dev.cachalot.store.StoreKey;
import dev.cachalot.store.StoreTier;
import dev.cachalot.store.StoredEntry;
import dev.cachalot.store.TestClock;
import dev.cachalot.store.TieredCacheStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link StoredEntry#bodyFile()}: where a single-chunk body lies in {@code chunks.cm3}, for the proxy
 * to send it from the page cache ({@code cache.disk.sendfile}). The region has the body's bytes for
 * disk hits and memory view hits, none for other bodies or when switched off; it stays right under
 * the entry's lease across replace and remove; a corrupt chunk is a counted miss; and checking a
 * body on its first read does not map its pages into the process.
 */
class BodyFileTest {
  private static final Duration HOUR = Duration.ofHours(1);
  private static final int SIZE = 16 * 1024;

  @TempDir Path dir;
  private final TestClock clock = new TestClock();

  /** 64 KiB chunks (the default), so a 16 KiB body is one chunk and a view. */
  private StoreConfig.Builder config() {
    return Fixtures.small(dir).chunkBytes(64 * 1024).memoryMaxObjectBytes(64 * 1024)
        .inlineReadMaxBytes(64 * 1024).averageBodyBytes(SIZE);
  }

  private ChronicleTier disk(StoreConfig c) throws IOException {
    return ChronicleTier.openWithoutSweeper(c, clock, new Random(7));
  }

  /** The region's bytes, read with positional reads. */
  static byte[] read(BodyFile f) throws IOException {
    ByteBuffer b = ByteBuffer.allocate((int) f.length());
    long at = f.position();
    while (b.hasRemaining()) {
      int n = f.channel().read(b, at);
      if (n < 0) {
        throw new IOException("file ends inside the region");
      }
      at += n;
    }
    return b.array();
  }

  @Test
  void aDiskHitAndAMemoryViewHitSayWhereTheirBodyLiesInTheFile() throws IOException {
    StoreConfig c = config().build();
    StoreKey k = StoreKey.of("https://a.example/f");
    try (ChronicleTier tier = disk(c);
        TieredCacheStore store = new TieredCacheStore(c, CaffeineTier.create(c, clock), tier)) {
      put(store, k, head(clock.now(), HOUR, "\"f\""), body(1, SIZE), SIZE, clock.now());
      try (StoredEntry m = store.lookup(k, clock.now()).orElseThrow()) {
        assertEquals(StoreTier.MEMORY_MAPPED, m.tier());
        BodyFile f = m.bodyFile().orElseThrow();
        assertEquals(SIZE, f.length());
        assertArrayEquals(body(1, SIZE), read(f));
      }
      try (StoredEntry d = tier.lookup(k, clock.now()).orElseThrow()) {
        assertEquals(StoreTier.DISK, d.tier());
        assertArrayEquals(body(1, SIZE), read(d.bodyFile().orElseThrow()));
        assertArrayEquals(view(d), read(d.bodyFile().orElseThrow()), "the same bytes as the view");
      }
    }
  }

  @Test
  void noRegionForOwnCopiesSeveralChunksOrWhenSwitchedOff() throws IOException {
    StoreKey k = StoreKey.of("https://a.example/n");
    StoreConfig copy = config().memoryBodies(MemoryBodies.COPY).build();
    try (ChronicleTier tier = disk(copy);
        TieredCacheStore store = new TieredCacheStore(copy, CaffeineTier.create(copy, clock), tier)) {
      put(store, k, head(clock.now(), HOUR, "\"n\""), body(2, SIZE), SIZE, clock.now());
      try (StoredEntry m = store.lookup(k, clock.now()).orElseThrow()) {
        assertEquals(StoreTier.MEMORY, m.tier());
        assertTrue(m.bodyFile().isEmpty(), "an own copy is not in the file");
      }
      StoreKey two = StoreKey.of("https://a.example/two-chunks");
      int big = 64 * 1024 + 100;
      put(tier, two, head(clock.now(), HOUR, "\"2\""), body(3, big), big, clock.now());
      try (StoredEntry d = tier.lookup(two, clock.now()).orElseThrow()) {
        assertTrue(d.bodyFile().isEmpty(), "a body of two chunks has no one region");
      }
    }
    Path off = dir.resolve("off");
    StoreConfig noSendfile = Fixtures.small(off).chunkBytes(64 * 1024).memoryMaxObjectBytes(64 * 1024)
        .inlineReadMaxBytes(64 * 1024).averageBodyBytes(SIZE).sendfile(false).build();
    try (ChronicleTier tier = disk(noSendfile)) {
      put(tier, k, head(clock.now(), HOUR, "\"n\""), body(4, SIZE), SIZE, clock.now());
      try (StoredEntry d = tier.lookup(k, clock.now()).orElseThrow()) {
        assertTrue(d.bodyBuffer().isPresent());
        assertTrue(d.bodyFile().isEmpty(), "cache.disk.sendfile: false hands out no region");
      }
    }
  }

  @Test
  void aLeasedRegionKeepsTheOldBodyAcrossReplaceAndRemoveUntilClosed() throws IOException {
    StoreKey k = StoreKey.of("https://a.example/r");
    StoreKey other = StoreKey.of("https://a.example/removed");
    try (ChronicleTier tier = disk(config().build())) {
      put(tier, k, head(clock.now(), HOUR, "\"a\""), body(5, SIZE), SIZE, clock.now());
      put(tier, other, head(clock.now(), HOUR, "\"o\""), body(6, SIZE), SIZE, clock.now());
      StoredEntry old = tier.lookup(k, clock.now()).orElseThrow();
      StoredEntry removed = tier.lookup(other, clock.now()).orElseThrow();
      BodyFile oldFile = old.bodyFile().orElseThrow();
      BodyFile removedFile = removed.bodyFile().orElseThrow();
      put(tier, k, head(clock.now(), HOUR, "\"b\""), body(7, SIZE), SIZE, clock.now());
      assertTrue(tier.remove(other));
      for (int i = 0; i < 20; i++) { // writes that would reuse freed space
        put(tier, StoreKey.of("https://a.example/filler" + i), head(clock.now(), HOUR, "\"f\""), body(100 + i, SIZE),
            SIZE, clock.now());
      }
      assertArrayEquals(body(5, SIZE), read(oldFile), "the replaced body, whole, while leased");
      assertArrayEquals(body(6, SIZE), read(removedFile), "the removed body, whole, while leased");
      assertEquals(2, tier.leaseStats().pendingFrees());
      old.close();
      removed.close();
      assertEquals(0, tier.leaseStats().pendingFrees(), "freed after the release");
      assertThrows(IllegalStateException.class, old::bodyFile, "a closed entry hands out no region");
      try (StoredEntry now = tier.lookup(k, clock.now()).orElseThrow()) {
        assertArrayEquals(body(7, SIZE), read(now.bodyFile().orElseThrow()));
      }
    }
  }

  @Test
  void aCorruptChunkIsACountedMissNotARegion() throws IOException {
    StoreKey k = StoreKey.of("https://a.example/c");
    StoreKey large = StoreKey.of("https://a.example/c-large");
    byte[] b = body(8, SIZE);
    int largeSize = 60 * 1024; // checked in several reads: the flip is in the last one
    byte[] l = body(9, largeSize);
    StoreConfig c = config().build();
    try (ChronicleTier tier = disk(c)) {
      put(tier, k, head(clock.now(), HOUR, "\"c\""), b, SIZE, clock.now());
      put(tier, large, head(clock.now(), HOUR, "\"l\""), l, largeSize, clock.now());
    }
    Fixtures.flipAt(dir.resolve("chunks.cm3"), java.util.Arrays.copyOfRange(b, 9000, 9032), 7);
    Fixtures.flipAt(dir.resolve("chunks.cm3"), java.util.Arrays.copyOfRange(l, 58_000, 58_032), 7);
    try (ChronicleTier tier = disk(c)) {
      assertTrue(tier.lookup(k, clock.now()).isEmpty(), "the first read of the entry checks it: a miss");
      assertTrue(tier.lookup(large, clock.now()).isEmpty(), "the same for a body read in several pieces");
      assertEquals(2, tier.tierStats().corruptions());
      assertTrue(tier.lookup(k, clock.now()).isEmpty(), "dropped");
      assertEquals(0, tier.leaseStats().outstanding());
    }
  }

  @Test
  void checkingABodyOnItsFirstReadDoesNotMakeItsPagesResident() throws IOException {
    Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/smaps")), "needs Linux /proc/self/smaps");
    int n = 100;
    StoreConfig c = config().build();
    try (ChronicleTier tier = disk(c)) {
      for (int i = 0; i < n; i++) {
        put(tier, StoreKey.of("https://a.example/p" + i), head(clock.now(), HOUR, "\"p\""), body(i, SIZE), SIZE,
            clock.now());
      }
    }
    // Reopened: no entry was written by this process, so every first hit checks the body's CRC32C.
    try (ChronicleTier tier = disk(c)) {
      Path chunks = dir.resolve("chunks.cm3").toAbsolutePath();
      long before = Fixtures.mappingRssKib(chunks, "r-");
      for (int i = 0; i < n; i++) {
        try (StoredEntry e = tier.lookup(StoreKey.of("https://a.example/p" + i), clock.now()).orElseThrow()) {
          assertArrayEquals(body(i, SIZE), read(e.bodyFile().orElseThrow()));
        }
      }
      long grown = Fixtures.mappingRssKib(chunks, "r-") - before;
      // Checked through the view, each body's 4-5 pages would be resident in the JDK's mapping (~2,000 KiB).
      assertTrue(grown < (long) n * SIZE / 1024 / 10,
          "the JDK's mapping of chunks.cm3 grew by " + grown + " KiB for " + n + " first hits of 16 KiB");
      assertFalse(tier.tierStats().corruptions() > 0);
    }
  }


}
