package dev.cachalot.store;

import static dev.cachalot.store.Fixtures.body;
import static dev.cachalot.store.Fixtures.head;
import static dev.cachalot.store.Fixtures.put;
import static dev.cachalot.store.Fixtures.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.store.tier.ChronicleTier;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Flipped bytes in the disk files are counted misses, never wrong bytes and never a crash. */
class CorruptionTest {
  private static final Duration HOUR = Duration.ofHours(1);

  @TempDir Path dir;
  private final TestClock clock = new TestClock();

  private ChronicleTier open() throws IOException {
    return ChronicleTier.openWithoutSweeper(Fixtures.small(dir).build(), clock);
  }


  private static byte[] slice(byte[] b, int from, int len) {
    byte[] out = new byte[len];
    System.arraycopy(b, from, out, 0, len);
    return out;
  }

  @Test
  void flippedByteInASmallBodyIsACountedMiss() throws IOException {
    StoreKey k = StoreKey.of("https://a.example/small");
    byte[] b = body(11, 3000);
    try (ChronicleTier tier = open()) {
      put(tier, k, head(clock.now(), HOUR, "\"s\""), b, 3000, clock.now());
    }
    Fixtures.flipAt(dir.resolve("chunks.cm3"), slice(b, 1000, 32), 5);
    try (ChronicleTier tier = open()) {
      assertTrue(tier.lookup(k, clock.now()).isEmpty());
      assertEquals(1, tier.tierStats().corruptions());
      assertTrue(tier.lookup(k, clock.now()).isEmpty(), "the corrupt entry was dropped");
      assertEquals(0, tier.tierStats().entries());
      assertEquals(0, tier.chunkCount(), "its chunks went with it");
    }
  }

  @Test
  void flippedByteInAStreamedBodyFailsTheStreamAndDropsTheEntry() throws IOException {
    StoreKey k = StoreKey.of("https://a.example/large");
    byte[] b = body(12, 40_000);
    try (ChronicleTier tier = open()) {
      put(tier, k, head(clock.now(), HOUR, "\"l\""), b, 5000, clock.now());
    }
    Fixtures.flipAt(dir.resolve("chunks.cm3"), slice(b, 30_000, 32), 3);
    try (ChronicleTier tier = open()) {
      StoredEntry e = tier.lookup(k, clock.now()).orElseThrow();
      // The bytes before the bad chunk are good; the bad chunk is never handed out.
      byte[] head = Fixtures.readRange(e, 0, 4 * Fixtures.CHUNK);
      assertArrayEquals(slice(b, 0, 4 * Fixtures.CHUNK), head);
      try (InputStream in = e.openBody()) {
        assertThrows(CorruptBodyException.class, in::readAllBytes);
      }
      assertEquals(1, tier.tierStats().corruptions());
      assertTrue(tier.lookup(k, clock.now()).isEmpty(), "dropped after the failed read");
    }
  }

  @Test
  void flippedByteInAHeadRecordIsDroppedAtStartUp() throws IOException {
    StoreKey k = StoreKey.of("https://a.example/head");
    StoreKey other = StoreKey.of("https://a.example/other");
    try (ChronicleTier tier = open()) {
      put(tier, k, head(clock.now(), HOUR, "\"unique-etag-for-flip\""), body(1, 100), 100, clock.now());
      put(tier, other, head(clock.now(), HOUR, "\"o\""), body(2, 100), 100, clock.now());
    }
    Fixtures.flipAt(dir.resolve("heads.cm3"), "unique-etag-for-flip".getBytes(StandardCharsets.UTF_8), 4);
    try (ChronicleTier tier = open()) {
      assertTrue(tier.lookup(k, clock.now()).isEmpty());
      assertEquals(1, tier.tierStats().corruptions());
      assertArrayEquals(body(2, 100), read(tier.lookup(other, clock.now()).orElseThrow()));
      assertEquals(1, tier.chunkCount(), "the dropped entry's chunk was reclaimed");
    }
  }

  @Test
  void randomFlipsAnywhereNeverYieldWrongBytesOrExceptions() throws Exception {
    Map<StoreKey, byte[]> bodies = new HashMap<>();
    try (ChronicleTier tier = open()) {
      for (int i = 0; i < 60; i++) {
        StoreKey k = StoreKey.of("https://a.example/r" + i);
        byte[] b = body(100 + i, (i * 1237) % 30_000);
        put(tier, k, head(clock.now(), HOUR, "\"" + i + "\""), b, 4000, clock.now());
        bodies.put(k, b);
      }
    }
    Random rnd = new Random(42);
    for (String name : new String[] {"heads.cm3", "chunks.cm3"}) {
      Path file = dir.resolve(name);
      long used = Files.size(file);
      try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
        for (int i = 0; i < 300; i++) {
          long pos = (long) (rnd.nextDouble() * used);
          f.seek(pos);
          int b = f.read();
          f.seek(pos);
          f.write(b ^ (1 << rnd.nextInt(8)));
        }
      }
    }
    // Treat it as disk damage found after a crash: start-up runs recovery.
    Files.deleteIfExists(dir.resolve("clean-shutdown"));
    assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
      try (ChronicleTier tier = open()) {
        int intact = 0;
        for (Map.Entry<StoreKey, byte[]> en : bodies.entrySet()) {
          Optional<StoredEntry> e = tier.lookup(en.getKey(), clock.now());
          if (e.isEmpty()) {
            continue;
          }
          try (InputStream in = e.get().openBody()) {
            assertArrayEquals(en.getValue(), in.readAllBytes(), "served bytes must be the stored ones");
            intact++;
          } catch (IOException expected) {
            // a corrupt streamed body fails its read: allowed, never wrong bytes
          }
        }
        System.out.println("random flips: " + intact + " of " + bodies.size() + " intact, stats " + tier.tierStats());
      }
    });
  }
}
