package dev.cachalot.store.tier;

import static dev.cachalot.store.Fixtures.body;
import static dev.cachalot.store.Fixtures.head;
import static dev.cachalot.store.Fixtures.put;
import static dev.cachalot.store.Fixtures.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.store.CommitResult;
import dev.cachalot.store.Fixtures;
import dev.cachalot.store.StoreKey;
import dev.cachalot.store.StoreStats;
import dev.cachalot.store.StoreTier;
import dev.cachalot.store.StoredEntry;
import dev.cachalot.store.TestClock;
import dev.cachalot.store.TieredCacheStore;
import dev.cachalot.store.WriteOutcome;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A disk commit that fails while the memory copy is kept is reported as what it is: stored in
 * memory only, not durable, counted; and the key's previous disk entry does not come back.
 */
class TieredDiskFailureTest {
  private static final Duration HOUR = Duration.ofHours(1);

  @TempDir Path dir;
  private final TestClock clock = new TestClock();

  /** Thrown by the hook in place of a disk failure at the commit point. */
  private static final class InjectedDiskFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InjectedDiskFailure() {
      super("injected disk failure");
    }
  }

  @Test
  void failedDiskCommitWithAMemoryCopyIsCommittedMemoryOnly() throws IOException {
    StoreKey k = StoreKey.of("https://a.example/not-durable");
    byte[] v2 = body(2, 3000);
    try (TieredCacheStore store = TieredCacheStore.open(Fixtures.small(dir).build(), clock)) {
      CommitResult first = put(store, k, head(clock.now(), HOUR, "\"v1\""), body(1, 2000), 2000, clock.now());
      assertEquals(WriteOutcome.COMMITTED, first.outcome());
      assertTrue(first.durable());

      ChronicleTier disk = store.diskTier().orElseThrow();
      boolean[] thrown = {false};
      disk.headStepHook((step, primaryHash) -> {
        if (step == HeadSlots.Step.WRITING_NEW_SLOT && !thrown[0]) {
          thrown[0] = true;
          throw new InjectedDiskFailure();
        }
      });
      CommitResult second = put(store, k, head(clock.now(), HOUR, "\"v2\""), v2, 1000, clock.now());
      disk.headStepHook(null);
      assertTrue(thrown[0], "the disk commit was reached and failed");

      assertEquals(WriteOutcome.COMMITTED_MEMORY_ONLY, second.outcome());
      assertTrue(second.committed(), "stored and visible");
      assertFalse(second.durable());
      assertEquals(StoreTier.MEMORY, second.entry().tier());
      StoredEntry e = store.lookup(k, clock.now()).orElseThrow();
      assertEquals("\"v2\"", e.head().firstValue("ETag"));
      assertArrayEquals(v2, read(e));
      assertTrue(disk.lookup(k, clock.now()).isEmpty(), "the old disk entry was removed");

      StoreStats s = store.stats();
      assertEquals(2, s.commits());
      assertEquals(1, s.memoryOnlyCommits());
      assertEquals(1, s.disk().failures());
    }
    // Not durable: after a restart neither the new nor the old version is there.
    try (TieredCacheStore store = TieredCacheStore.open(Fixtures.small(dir).build(), clock)) {
      assertTrue(store.lookup(k, clock.now()).isEmpty());
    }
  }
}
