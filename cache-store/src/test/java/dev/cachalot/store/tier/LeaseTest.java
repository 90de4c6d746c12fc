package dev.cachalot.store.tier;

import static dev.cachalot.store.Fixtures.body;
import static dev.cachalot.store.Fixtures.bytes;
import static dev.cachalot.store.Fixtures.head;
import static dev.cachalot.store.Fixtures.put;
import static dev.cachalot.store.Fixtures.view;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.store.EntryHead;
import dev.cachalot.store.Fixtures;
import dev.cachalot.store.ReplaceOutcome;
import dev.cachalot.store.StoreConfig;
import dev.cachalot.store.StoreKey;
import dev.cachalot.store.StoredEntry;
import dev.cachalot.store.TestClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Leases on disk entries: a looked-up single-chunk body is a zero-copy view of the mapped file that
 * stays right (the old, complete body, never another entry's bytes) across a concurrent replace,
 * remove, eviction or expiry, whose chunk frees wait for the last release; releases are idempotent;
 * close does not block on a leaked lease, and a restart reclaims what a leak kept.
 */
class LeaseTest {
  private static final Duration HOUR = Duration.ofHours(1);
  private static final int SIZE = 3000; // one 4 KiB chunk

  @TempDir Path dir;
  private final TestClock clock = new TestClock();

  private ChronicleTier open(StoreConfig config) throws IOException {
    return ChronicleTier.openWithoutSweeper(config, clock, new Random(7));
  }

  private StoreConfig config() {
    return Fixtures.small(dir).build();
  }

  /** Fills the chunk space freed by a removal (if it was freed) with other bytes. */
  private void overwriteFreedSpace(ChronicleTier tier, int n, int seed) {
    for (int i = 0; i < n; i++) {
      put(tier, StoreKey.of("https://a.example/filler" + seed + "-" + i), head(clock.now(), HOUR, "\"f\""),
          body(1000L * seed + i, SIZE), SIZE, clock.now());
    }
  }

  @Test
  void aSingleChunkDiskHitIsALeasedReadOnlyDirectView() throws IOException {
    StoreKey k = StoreKey.of("https://a.example/view");
    byte[] a = body(1, SIZE);
    try (ChronicleTier tier = open(config())) {
      put(tier, k, head(clock.now(), HOUR, "\"a\""), a, SIZE, clock.now());
      try (StoredEntry e = tier.lookup(k, clock.now()).orElseThrow()) {
        ByteBuffer b = e.bodyBuffer().orElseThrow();
        assertTrue(b.isDirect(), "a view of the mapped file, not a heap copy");
        assertTrue(b.isReadOnly());
        assertTrue(((BufferedEntry) e).leased());
        assertArrayEquals(a, bytes(b));
        assertEquals(1, tier.leaseStats().outstanding());
      }
      assertEquals(0, tier.leaseStats().outstanding());
    }
  }

  @Test
  void aLeaseKeepsTheOldCompleteBodyAcrossReplaceAndFreesItAfterRelease() throws IOException {
    StoreKey k = StoreKey.of("https://a.example/replaced");
    byte[] a = body(1, SIZE);
    byte[] b = body(2, SIZE);
    try (ChronicleTier tier = open(config())) {
      put(tier, k, head(clock.now(), HOUR, "\"a\""), a, SIZE, clock.now());
      StoredEntry old = tier.lookup(k, clock.now()).orElseThrow();
      long chunksBefore = tier.chunkCount();
      put(tier, k, head(clock.now(), HOUR, "\"b\""), b, SIZE, clock.now());
      overwriteFreedSpace(tier, 20, 1);
      assertArrayEquals(a, view(old), "the leased body is the old one, whole");
      try (StoredEntry now = tier.lookup(k, clock.now()).orElseThrow()) {
        assertArrayEquals(b, view(now));
      }
      assertEquals(1, tier.leaseStats().pendingFrees(), "the old chunk waits for the lease");
      assertEquals(chunksBefore + 1 + 20, tier.chunkCount(), "old chunk still there");
      old.close();
      assertEquals(0, tier.leaseStats().pendingFrees());
      assertEquals(1, tier.leaseStats().deferredFrees());
      assertEquals(chunksBefore + 20, tier.chunkCount(), "old chunk freed after the release");
    }
  }

  @Test
  void aLeaseKeepsTheBodyAcrossRemoveRemoveAllExpiryAndEviction() throws IOException {
    StoreConfig config = Fixtures.small(dir).diskMaxEntries(16).build();
    try (ChronicleTier tier = open(config)) {
      StoreKey removed = StoreKey.of("https://a.example/removed");
      StoreKey all = StoreKey.of("https://a.example/all", "v1");
      StoreKey expired = StoreKey.of("https://a.example/expired");
      put(tier, removed, head(clock.now(), HOUR, "\"r\""), body(11, SIZE), SIZE, clock.now());
      put(tier, all, head(clock.now(), HOUR, "\"a\""), body(12, SIZE), SIZE, clock.now());
      put(tier, expired, head(clock.now(), Duration.ofMinutes(1), "\"e\""), body(13, SIZE), SIZE, clock.now());
      List<StoredEntry> leased = new ArrayList<>();
      leased.add(tier.lookup(removed, clock.now()).orElseThrow());
      leased.add(tier.lookup(all, clock.now()).orElseThrow());
      leased.add(tier.lookup(expired, clock.now()).orElseThrow());
      assertTrue(tier.remove(removed));
      assertEquals(1, tier.removeAll(all));
      clock.advance(Duration.ofMinutes(2));
      assertEquals(1, tier.sweepExpired(clock.now()));
      // 16 entries at most: writing 40 more evicts everything that was there before, whatever the
      // samples pick, and would reuse freed chunk space.
      overwriteFreedSpace(tier, 40, 2);
      assertTrue(tier.tierStats().evictions() >= 24, "evicted " + tier.tierStats());
      assertArrayEquals(body(11, SIZE), view(leased.get(0)));
      assertArrayEquals(body(12, SIZE), view(leased.get(1)));
      assertArrayEquals(body(13, SIZE), view(leased.get(2)));
      assertEquals(3, tier.leaseStats().pendingFrees());
      for (StoredEntry e : leased) {
        e.close();
      }
      assertEquals(0, tier.leaseStats().pendingFrees());
      assertEquals(tier.tierStats().entries(), tier.chunkCount(), "every deferred chunk freed, none leaked");
    }
  }

  @Test
  void anEvictedLeasedEntryKeepsItsBody() throws IOException {
    StoreConfig config = Fixtures.small(dir).diskMaxEntries(16).build();
    StoreKey k = StoreKey.of("https://a.example/evicted");
    try (ChronicleTier tier = open(config)) {
      put(tier, k, head(clock.now(), HOUR, "\"k\""), body(21, SIZE), SIZE, clock.now());
      StoredEntry e = tier.lookup(k, clock.now()).orElseThrow();
      // Keep writing until k is evicted (sampled eviction; it goes once every other entry is hotter).
      for (int i = 0; i < 2000 && tier.hitCount(k) >= 0; i++) {
        StoreKey f = StoreKey.of("https://a.example/hot" + i);
        put(tier, f, head(clock.now(), HOUR, "\"h\""), body(5000 + i, SIZE), SIZE, clock.now());
        for (int j = 0; j < 3; j++) {
          tier.lookup(f, clock.now()).ifPresent(StoredEntry::close); // may have been evicted at once
        }
      }
      assertEquals(-1, tier.hitCount(k), "evicted");
      assertTrue(tier.lookup(k, clock.now()).isEmpty());
      assertArrayEquals(body(21, SIZE), view(e));
      assertEquals(1, tier.leaseStats().pendingFrees());
      e.close();
      assertEquals(0, tier.leaseStats().pendingFrees());
      assertEquals(tier.tierStats().entries(), tier.chunkCount());
    }
  }

  @Test
  void closingTwiceIsHarmlessAndAClosedEntryRefusesItsBody() throws IOException {
    StoreKey k = StoreKey.of("https://a.example/twice");
    try (ChronicleTier tier = open(config())) {
      put(tier, k, head(clock.now(), HOUR, "\"a\""), body(3, SIZE), SIZE, clock.now());
      StoredEntry first = tier.lookup(k, clock.now()).orElseThrow();
      StoredEntry second = tier.lookup(k, clock.now()).orElseThrow();
      assertTrue(tier.remove(k));
      first.close();
      first.close();
      assertEquals(1, tier.leaseStats().outstanding(), "the double close released one lease, not two");
      assertEquals(1, tier.leaseStats().pendingFrees(), "the second lease still holds the chunk");
      assertArrayEquals(body(3, SIZE), view(second));
      assertThrows(IllegalStateException.class, first::bodyBuffer);
      second.close();
      second.close();
      assertEquals(0, tier.leaseStats().outstanding());
      assertEquals(0, tier.leaseStats().pendingFrees());
      assertEquals(0, tier.chunkCount());
    }
  }

  @Test
  void concurrentReplacesNeverShowATornOrForeignBody() throws Exception {
    StoreKey k = StoreKey.of("https://a.example/race");
    int rounds = 300;
    try (ChronicleTier tier = open(config())) {
      put(tier, k, head(clock.now(), HOUR, "\"0\""), body(0, SIZE), SIZE, clock.now());
      assertTrue(ReplaceRace.run(tier, k, rounds, SIZE, clock, e -> true) > 0);
      assertEquals(0, tier.leaseStats().outstanding());
      assertEquals(0, tier.leaseStats().pendingFrees());
      assertEquals(1, tier.chunkCount(), "only the last body's chunk is left");
    }
  }

  @Test
  void closeDoesNotBlockOnALeakedLeaseAndTheNextStartReclaimsItsChunks() throws IOException {
    StoreKey leakedKey = StoreKey.of("https://a.example/leaked");
    StoreKey other = StoreKey.of("https://a.example/other");
    byte[] a = body(4, SIZE);
    StoredEntry leaked;
    ChronicleTier tier = open(config());
    put(tier, leakedKey, head(clock.now(), HOUR, "\"a\""), a, SIZE, clock.now());
    put(tier, other, head(clock.now(), HOUR, "\"o\""), body(5, SIZE), SIZE, clock.now());
    leaked = tier.lookup(leakedKey, clock.now()).orElseThrow();
    assertTrue(tier.remove(leakedKey));
    tier.leaseCloseWait(0, null);
    tier.close();
    assertEquals(1, tier.leaseStats().leakedAtClose());
    assertArrayEquals(a, view(leaked), "a view outlives the tier (its own JDK mapping)");
    leaked.close(); // after close: harmless, the free is skipped
    try (ChronicleTier again = open(config())) {
      assertEquals(1, again.tierStats().reclaimed(), "the leaked entry's chunk was an orphan");
      assertEquals(1, again.chunkCount());
      try (StoredEntry e = again.lookup(other, clock.now()).orElseThrow()) {
        assertArrayEquals(body(5, SIZE), view(e));
      }
      assertTrue(again.lookup(leakedKey, clock.now()).isEmpty());
    }
  }

  @Test
  void closeWaitsForALeaseReleasedMeanwhileAndItsFreeRunsBeforeTheMapsClose() throws Exception {
    StoreKey k = StoreKey.of("https://a.example/released-at-close");
    byte[] a = body(6, SIZE);
    ChronicleTier tier = open(config());
    put(tier, k, head(clock.now(), HOUR, "\"a\""), a, SIZE, clock.now());
    StoredEntry e = tier.lookup(k, clock.now()).orElseThrow();
    assertTrue(tier.remove(k));
    CountDownLatch waiting = new CountDownLatch(1);
    tier.leaseCloseWait(60_000, waiting::countDown);
    Thread closer = new Thread(tier::close, "closer");
    closer.start();
    assertTrue(waiting.await(30, TimeUnit.SECONDS));
    assertArrayEquals(a, view(e));
    e.close();
    closer.join(60_000);
    assertFalse(closer.isAlive());
    assertEquals(0, tier.leaseStats().leakedAtClose());
    try (ChronicleTier again = open(config())) {
      assertEquals(0, again.tierStats().reclaimed(), "the deferred free ran before the maps closed");
      assertEquals(0, again.chunkCount());
    }
  }

  @Test
  void aRepeatedHitReadsNoHeadRecordUntilAnEditOfItsStripe() throws IOException {
    StoreKey k = StoreKey.of("https://a.example/hot");
    try (ChronicleTier tier = open(config())) {
      put(tier, k, head(clock.now(), HOUR, "\"a\""), body(7, SIZE), SIZE, clock.now());
      tier.lookup(k, clock.now()).orElseThrow().close();
      long reads = tier.headReads();
      for (int i = 0; i < 10; i++) {
        try (StoredEntry e = tier.lookup(k, clock.now()).orElseThrow()) {
          assertArrayEquals(body(7, SIZE), view(e));
        }
      }
      assertEquals(reads, tier.headReads(), "served from the decoded-head cache");
      StoredEntry e = tier.lookup(k, clock.now()).orElseThrow();
      EntryHead nh = head(clock.now(), HOUR, "\"a2\"");
      assertEquals(ReplaceOutcome.REPLACED, tier.replaceHead(e, nh, clock.now()));
      e.close();
      try (StoredEntry after = tier.lookup(k, clock.now()).orElseThrow()) {
        assertEquals("\"a2\"", after.head().firstValue("ETag"), "an edit is seen at once");
        assertEquals(1, after.headVersion());
        assertArrayEquals(body(7, SIZE), view(after));
      }
      assertEquals(reads + 1, tier.headReads());
      assertNotNull(tier.leaseStats());
    }
  }
}
