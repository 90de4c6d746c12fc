package dev.cachalot.store.tier;

import static dev.cachalot.store.Fixtures.body;
import static dev.cachalot.store.Fixtures.head;
import static dev.cachalot.store.Fixtures.put;
import static dev.cachalot.store.Fixtures.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.store.EntryCodec;
import dev.cachalot.store.EntryHead;
import dev.cachalot.store.Fixtures;
import dev.cachalot.store.ReplaceOutcome;
import dev.cachalot.store.StoreConfig;
import dev.cachalot.store.StoreKey;
import dev.cachalot.store.StoredEntry;
import dev.cachalot.store.TestClock;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash points of a head change, made deterministic: the files are copied at a step of
 * {@link HeadSlots#edit} (what a {@code kill -9} at that instant leaves: the mapped pages as they
 * are), optionally with the record being written torn (one byte flipped, so Chronicle's recovery
 * sees the checksum mismatch a kill between writing the value and storing its checksum leaves),
 * and the copy is reopened with recovery. Whatever the step, the previous committed state of every
 * variant must survive: with one head record per primary rewritten in place (format 1), every torn
 * case here lost all three variants of the primary.
 */
class HeadSlotsCrashTest {
  private static final Duration HOUR = Duration.ofHours(1);
  private static final String P = "https://crash.example/p";

  @TempDir Path live;
  @TempDir Path crash;
  private final TestClock clock = new TestClock();

  private final Map<StoreKey, byte[]> bodies = new LinkedHashMap<>();
  private final Map<StoreKey, String> etags = new LinkedHashMap<>();
  private final StoreKey a = StoreKey.of(P, "a");
  private final StoreKey b = StoreKey.of(P, "b");
  private final StoreKey c = StoreKey.of(P, "c");
  private final StoreKey q = StoreKey.of("https://crash.example/q");

  private StoreConfig config(Path dir) {
    return Fixtures.small(dir).build();
  }

  /** Three variants under P (one of three chunks) and one other primary. */
  private ChronicleTier seeded() throws IOException {
    ChronicleTier tier = ChronicleTier.openWithoutSweeper(config(live), clock);
    store(tier, a, "a1", 10_000);
    store(tier, b, "b1", 3000);
    store(tier, c, "c1", 5000);
    store(tier, q, "q1", 100);
    return tier;
  }

  private void store(ChronicleTier tier, StoreKey k, String etag, int size) {
    byte[] bytes = body(etag.hashCode(), size);
    assertTrue(put(tier, k, head(clock.now(), HOUR, "\"" + etag + "\""), bytes, 1000, clock.now()).committed());
    bodies.put(k, bytes);
    etags.put(k, etag);
  }

  /** Copies the files at the first time {@code step} is reached, then lets the tier go on. */
  private void snapshotAt(ChronicleTier tier, HeadSlots.Step step) {
    boolean[] taken = {false};
    tier.headStepHook((s, primaryHash) -> {
      if (s == step && !taken[0]) {
        taken[0] = true;
        try {
          for (String f : new String[] {"heads.cm3", "chunks.cm3", "format"}) {
            copySparse(live.resolve(f), crash.resolve(f));
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    });
  }

  /** Reopens the copy as after a kill (no clean-shutdown marker: Chronicle recovery runs). */
  private ChronicleTier reopenCrashed() throws IOException {
    assertTrue(Files.exists(crash.resolve("heads.cm3")), "the crash point was reached");
    assertTrue(Files.notExists(crash.resolve("clean-shutdown")));
    return ChronicleTier.openWithoutSweeper(config(crash), clock);
  }

  private void assertHolds(ChronicleTier tier, StoreKey k, String etag, byte[] bytes) {
    Optional<StoredEntry> e = tier.lookup(k, clock.now());
    assertTrue(e.isPresent(), k + " lost");
    assertEquals("\"" + etag + "\"", e.get().head().firstValue("ETag"), k.toString());
    assertArrayEquals(bytes, read(e.get()), k.toString());
  }

  private void assertOthersIntact(ChronicleTier tier, StoreKey except) {
    for (Map.Entry<StoreKey, String> en : etags.entrySet()) {
      if (!en.getKey().equals(except)) {
        assertHolds(tier, en.getKey(), en.getValue(), bodies.get(en.getKey()));
      }
    }
  }

  private static long chunksOf(int length) {
    return (length + Fixtures.CHUNK - 1) / Fixtures.CHUNK;
  }

  @Test
  void commitTornWhileWritingTheNewSlotKeepsThePreviousVersionAndAllSiblings() throws IOException {
    byte[] a2 = body(2, 9000);
    try (ChronicleTier tier = seeded()) {
      snapshotAt(tier, HeadSlots.Step.NEW_SLOT_WRITTEN);
      put(tier, a, head(clock.now(), HOUR, "\"a2\""), a2, 1000, clock.now());
    }
    tearNewestRecordOf(P);
    try (ChronicleTier tier = reopenCrashed()) {
      assertOthersIntact(tier, null); // a is still a1, with its body
      assertEquals(4, tier.tierStats().entries());
      assertEquals(chunksOf(10_000) + chunksOf(3000) + chunksOf(5000) + chunksOf(100), tier.chunkCount(),
          "the cut-off write's chunks are reclaimed");
      assertEquals(chunksOf(9000), tier.tierStats().reclaimed());
    }
  }

  @Test
  void commitCutAfterTheNewSlotIsWholeShowsTheNewVersionAndReclaimsTheOldBody() throws IOException {
    byte[] a2 = body(2, 9000);
    try (ChronicleTier tier = seeded()) {
      snapshotAt(tier, HeadSlots.Step.NEW_SLOT_WRITTEN);
      put(tier, a, head(clock.now(), HOUR, "\"a2\""), a2, 1000, clock.now());
    }
    try (ChronicleTier tier = reopenCrashed()) {
      assertHolds(tier, a, "a2", a2); // both slots were there: the higher generation won
      assertOthersIntact(tier, a);
      assertEquals(chunksOf(9000) + chunksOf(3000) + chunksOf(5000) + chunksOf(100), tier.chunkCount());
      assertEquals(chunksOf(10_000), tier.tierStats().reclaimed());
      assertEquals(0, tier.tierStats().corruptions());
    }
    // The settled files are consistent: a clean reopen sees the same.
    try (ChronicleTier tier = ChronicleTier.openWithoutSweeper(config(crash), clock)) {
      assertHolds(tier, a, "a2", a2);
      assertOthersIntact(tier, a);
    }
  }

  @Test
  void commitCutBeforeTheOldChunksAreRemovedReclaimsThem() throws IOException {
    byte[] a2 = body(2, 9000);
    try (ChronicleTier tier = seeded()) {
      snapshotAt(tier, HeadSlots.Step.EDIT_DONE);
      put(tier, a, head(clock.now(), HOUR, "\"a2\""), a2, 1000, clock.now());
    }
    try (ChronicleTier tier = reopenCrashed()) {
      assertHolds(tier, a, "a2", a2);
      assertOthersIntact(tier, a);
      assertEquals(chunksOf(10_000), tier.tierStats().reclaimed());
    }
  }

  @Test
  void tornHeadReplacementKeepsTheOldHeadAndVersion() throws IOException {
    try (ChronicleTier tier = seeded()) {
      StoredEntry e = tier.lookup(b, clock.now()).orElseThrow();
      snapshotAt(tier, HeadSlots.Step.NEW_SLOT_WRITTEN);
      EntryHead newHead = head(clock.now(), Duration.ofDays(2), "\"b-revalidated\"");
      assertEquals(ReplaceOutcome.REPLACED, tier.replaceHead(e, newHead, clock.now()));
    }
    tearNewestRecordOf(P);
    try (ChronicleTier tier = reopenCrashed()) {
      assertOthersIntact(tier, null);
      assertEquals(0, tier.lookup(b, clock.now()).orElseThrow().headVersion());
    }
  }

  @Test
  void tornVariantRemovalKeepsEverything() throws IOException {
    try (ChronicleTier tier = seeded()) {
      snapshotAt(tier, HeadSlots.Step.NEW_SLOT_WRITTEN);
      assertTrue(tier.remove(c));
    }
    tearNewestRecordOf(P);
    try (ChronicleTier tier = reopenCrashed()) {
      assertOthersIntact(tier, null);
      assertEquals(4, tier.tierStats().entries());
    }
  }

  @Test
  void tornNewVariantLeavesTheOthers() throws IOException {
    StoreKey d = StoreKey.of(P, "d");
    try (ChronicleTier tier = seeded()) {
      snapshotAt(tier, HeadSlots.Step.NEW_SLOT_WRITTEN);
      put(tier, d, head(clock.now(), HOUR, "\"d1\""), body(4, 500), 500, clock.now());
    }
    tearNewestRecordOf(P);
    try (ChronicleTier tier = reopenCrashed()) {
      assertOthersIntact(tier, null);
      assertTrue(tier.lookup(d, clock.now()).isEmpty());
    }
  }

  /**
   * Flips a byte inside the newest head record of {@code primary} in the copied heads file: the
   * copy of the record with the highest generation (records start with magic, version,
   * generation, primary length, primary bytes).
   */
  private void tearNewestRecordOf(String primary) throws IOException {
    Path file = crash.resolve("heads.cm3");
    byte[] p = primary.getBytes(StandardCharsets.UTF_8);
    long bestPos = -1;
    long bestGen = -1;
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      ByteBuffer buf = ByteBuffer.allocate(1 << 20);
      int overlap = 14 + p.length;
      for (long base = 0; base < size; base += buf.capacity() - overlap) {
        buf.clear();
        int n = ch.read(buf, base);
        if (n <= 0) {
          break;
        }
        byte[] a = buf.array();
        for (int i = 0; i + overlap <= n; i++) {
          if (a[i] == EntryCodec.MAGIC && a[i + 1] == EntryCodec.VERSION && ByteBuffer.wrap(a, i + 10, 4).getInt() == p.length
              && java.util.Arrays.equals(a, i + 14, i + 14 + p.length, p, 0, p.length)) {
            long gen = ByteBuffer.wrap(a, i + 2, 8).getLong();
            if (gen > bestGen) {
              bestGen = gen;
              bestPos = base + i;
            }
          }
        }
      }
    }
    assertTrue(bestPos >= 0, "record of " + primary + " not found");
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      long at = bestPos + 14 + p.length / 2;
      f.seek(at);
      int v = f.read();
      f.seek(at);
      f.write(v ^ 0x20);
    }
  }

  /** Copies a (sparse, mapped) file, skipping all-zero blocks so that the copy stays sparse. */
  private static void copySparse(Path from, Path to) throws IOException {
    try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ);
        FileChannel out = FileChannel.open(to, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      long size = in.size();
      ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
      for (long pos = 0; pos < size; pos += buf.capacity()) {
        buf.clear();
        int n = in.read(buf, pos);
        if (n <= 0) {
          break;
        }
        byte[] a = buf.array();
        boolean zero = true;
        for (int i = 0; i < n && zero; i++) {
          zero = a[i] == 0;
        }
        if (!zero) {
          out.write(ByteBuffer.wrap(a, 0, n), pos);
        }
      }
      if (out.size() < size) {
        out.write(ByteBuffer.wrap(new byte[1]), size - 1); // the file's length (a zero last byte)
      }
    }
  }
}
