package dev.cachalot.store.tier;

import static dev.cachalot.store.Fixtures.body;
import static dev.cachalot.store.Fixtures.head;
import static dev.cachalot.store.Fixtures.put;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.store.Fixtures;
import dev.cachalot.store.StoreConfig;
import dev.cachalot.store.StoreKey;
import dev.cachalot.store.StoredEntry;
import dev.cachalot.store.TestClock;
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
 * The start-up scan reads every head record and chunk key through Chronicle's mappings, and writes
 * touch head records and both maps' hash lookups; after the scan and after every expiry sweep those
 * pages leave the resident set (they stay in the page cache) and come back when read.
 */
class ChronicleResidencyTest {
  @TempDir Path dir;
  private final TestClock clock = new TestClock();


  @Test
  void afterTheStartUpScanChroniclesMappingsHoldAlmostNothingResidentAndEntriesStillRead() throws IOException {
    Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/smaps")), "needs Linux /proc/self/smaps");
    int n = 200;
    int size = 16 * 1024;
    StoreConfig config = Fixtures.small(dir).chunkBytes(64 * 1024).inlineReadMaxBytes(64 * 1024)
        .averageBodyBytes(size).build();
    try (ChronicleTier tier = ChronicleTier.openWithoutSweeper(config, clock, new Random(7))) {
      for (int i = 0; i < n; i++) {
        put(tier, StoreKey.of("https://a.example/s" + i), head(clock.now(), Duration.ofHours(1), "\"s\""),
            body(i, size), size, clock.now());
      }
    }
    try (ChronicleTier tier = ChronicleTier.openWithoutSweeper(config, clock, new Random(7))) {
      Path chunks = dir.resolve("chunks.cm3").toAbsolutePath();
      Path heads = dir.resolve("heads.cm3").toAbsolutePath();
      long resident = Fixtures.mappingRssKib(chunks, "rw") + Fixtures.mappingRssKib(heads, "rw");
      assertEquals(n, tier.tierStats().entries());
      // The scan touched at least one page per chunk (its key) and per head record: 200+ pages.
      assertTrue(resident < n * 4 / 2, "resident after open: " + resident + " KiB");
      try (StoredEntry e = tier.lookup(StoreKey.of("https://a.example/s7"), clock.now()).orElseThrow()) {
        ByteBuffer b = e.bodyBuffer().orElseThrow().duplicate();
        byte[] got = new byte[b.remaining()];
        b.get(got);
        assertArrayEquals(body(7, size), got, "pages come back from the page cache");
      }
    }
  }

  @Test
  void afterASweepChroniclesMappingsHoldAlmostNothingResidentAndEntriesStillRead() throws IOException {
    Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/smaps")), "needs Linux /proc/self/smaps");
    int n = 1000;
    StoreConfig config = Fixtures.small(dir).diskMaxEntries(4 * n).averageHeadBytes(512).build();
    Path chunks = dir.resolve("chunks.cm3").toAbsolutePath();
    Path heads = dir.resolve("heads.cm3").toAbsolutePath();
    try (ChronicleTier tier = ChronicleTier.openWithoutSweeper(config, clock, new Random(7))) {
      for (int i = 0; i < n; i++) {
        put(tier, StoreKey.of("https://b.example/s" + i), head(clock.now(), Duration.ofHours(1), "\"s\""),
            body(i, 1000), 1000, clock.now());
      }
      long before = Fixtures.mappingRssKib(chunks, "rw") + Fixtures.mappingRssKib(heads, "rw");
      // 1,000 head records, 1,000 chunks of 1,000 bytes, and the hash lookups they went through.
      assertTrue(before >= 1000, "resident after the writes: only " + before + " KiB");
      assertEquals(0, tier.sweepExpired(clock.now()), "nothing has expired");
      long after = Fixtures.mappingRssKib(chunks, "rw") + Fixtures.mappingRssKib(heads, "rw");
      assertTrue(after < before / 10, "resident after the sweep: " + after + " KiB, before: " + before + " KiB");
      for (int i = 0; i < n; i += 7) {
        try (StoredEntry e = tier.lookup(StoreKey.of("https://b.example/s" + i), clock.now()).orElseThrow()) {
          ByteBuffer b = e.bodyBuffer().orElseThrow().duplicate();
          byte[] got = new byte[b.remaining()];
          b.get(got);
          assertArrayEquals(body(i, 1000), got, "pages come back from the page cache");
        }
      }
    }
  }
}
