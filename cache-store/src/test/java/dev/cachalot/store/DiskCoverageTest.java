package dev.cachalot.store;

import static dev.cachalot.store.Fixtures.body;
import static dev.cachalot.store.Fixtures.head;
import static dev.cachalot.store.Fixtures.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tiered store's memory of primaries whose disk variants are all in memory too. */
class DiskCoverageTest {
  private static final Duration HOUR = Duration.ofHours(1);
  private static final String URL = "https://a.example/covered";

  @TempDir Path dir;
  private final TestClock clock = new TestClock();

  private TieredCacheStore open() throws IOException {
    return TieredCacheStore.open(Fixtures.small(dir).build(), clock);
  }

  @Test
  void aFactHoldsForTheSameMemorySetUntilADiskWriteToItsStripe() {
    DiskCoverage c = new DiskCoverage();
    StoreKey p = StoreKey.of(URL);
    Object set = new Object();
    assertFalse(c.covered(p, set));
    c.record(p, set, c.stamp(p));
    assertTrue(c.covered(p, set));
    assertFalse(c.covered(p, new Object()), "another memory set (the set changed)");
    assertFalse(c.covered(StoreKey.of(URL + "/other"), set), "another primary");
    c.diskChanged(StoreKey.of(URL, "gzip"));
    assertFalse(c.covered(p, set), "a disk write under one of its variants");
    // A check that began before a disk write is not trusted after it.
    long before = c.stamp(p);
    c.diskChanged(p);
    c.record(p, set, before);
    assertFalse(c.covered(p, set));
  }

  @Test
  void aCoveredPrimaryIsListedFromMemoryWithoutAskingTheDisk() throws IOException {
    StoreKey a = StoreKey.of(URL, "a");
    StoreKey sneaked = StoreKey.of(URL, "sneaked");
    try (TieredCacheStore store = open()) {
      put(store, a, head(clock.now(), HOUR, "\"a\""), body(1, 2000), 2000, clock.now());
      assertEquals(List.of(a), store.listVariants(StoreKey.of(URL)));
      // A variant written to the disk tier behind the store's back (never done outside this test):
      // the store does not see it, because it no longer lists the disk for this primary.
      put(store.diskTier().orElseThrow(), sneaked, head(clock.now(), HOUR, "\"s\""), body(2, 2000), 2000,
          clock.now());
      assertEquals(List.of(a), store.listVariants(StoreKey.of(URL)));
      assertEquals(Set.of(a, sneaked), Set.copyOf(store.diskTier().orElseThrow().listVariants(StoreKey.of(URL))));
    }
  }

  @Test
  void aDiskOnlyVariantWrittenThroughTheStoreIsListedAtOnce() throws IOException {
    StoreKey small = StoreKey.of(URL, "small");
    StoreKey large = StoreKey.of(URL, "large"); // above memoryMaxObjectBytes: disk only
    try (TieredCacheStore store = open()) {
      put(store, small, head(clock.now(), HOUR, "\"s\""), body(1, 2000), 2000, clock.now());
      assertEquals(List.of(small), store.listVariants(StoreKey.of(URL)));
      assertEquals(List.of(small), store.listVariants(StoreKey.of(URL)));
      put(store, large, head(clock.now(), HOUR, "\"l\""), body(2, 200_000), 50_000, clock.now());
      assertEquals(Set.of(small, large), Set.copyOf(store.listVariants(StoreKey.of(URL))));
      assertTrue(store.lookup(large, clock.now()).isPresent());
    }
  }

  @Test
  void aVariantTheMemoryTierDropsIsListedFromTheDiskAgain() throws IOException {
    StoreKey a = StoreKey.of(URL, "a");
    StoreKey b = StoreKey.of(URL, "b");
    try (TieredCacheStore store = open()) {
      put(store, a, head(clock.now(), HOUR, "\"a\""), body(1, 2000), 2000, clock.now());
      put(store, b, head(clock.now(), HOUR, "\"b\""), body(2, 2000), 2000, clock.now());
      assertEquals(Set.of(a, b), Set.copyOf(store.listVariants(StoreKey.of(URL))));
      store.memoryTier().remove(b); // as an eviction from memory would: the disk keeps it
      assertEquals(Set.of(a, b), Set.copyOf(store.listVariants(StoreKey.of(URL))));
    }
  }

  @Test
  void variantsCommittedWhileOthersListThemAreAllListedAfterwards() throws Exception {
    int writers = 3;
    int each = 12;
    // Room for all 37 variants of the one primary (the fixture keeps fewer).
    try (TieredCacheStore store = TieredCacheStore.open(Fixtures.small(dir).maxVariants(64).build(), clock)) {
      StoreKey first = StoreKey.of(URL, "first");
      put(store, first, head(clock.now(), HOUR, "\"f\""), body(1, 2000), 2000, clock.now());
      ExecutorService pool = Executors.newFixedThreadPool(writers + 2);
      AtomicBoolean done = new AtomicBoolean();
      try {
        List<Future<?>> listers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
          listers.add(pool.submit(() -> {
            while (!done.get()) {
              store.listVariants(StoreKey.of(URL)); // keeps recording and trusting facts meanwhile
            }
          }));
        }
        List<Future<?>> ws = new ArrayList<>();
        Set<StoreKey> expected = new HashSet<>(Set.of(first));
        for (int w = 0; w < writers; w++) {
          int id = w;
          List<StoreKey> mine = new ArrayList<>();
          for (int i = 0; i < each; i++) {
            mine.add(StoreKey.of(URL, "w" + id + "-" + i));
          }
          expected.addAll(mine);
          ws.add(pool.submit(() -> {
            int i = 0;
            for (StoreKey k : mine) {
              // Every other one too large for memory: disk-only variants, the case the facts must not hide.
              int size = i++ % 2 == 0 ? 100_000 : 1500;
              put(store, k, head(clock.now(), HOUR, "\"" + k.hashCode() + "\""), body(k.hashCode(), size), 25_000,
                  clock.now());
            }
          }));
        }
        for (Future<?> f : ws) {
          f.get(60, TimeUnit.SECONDS);
        }
        done.set(true);
        for (Future<?> f : listers) {
          f.get(60, TimeUnit.SECONDS);
        }
        assertEquals(expected, Set.copyOf(store.listVariants(StoreKey.of(URL))));
        assertEquals(expected, Set.copyOf(store.listVariants(StoreKey.of(URL))), "and again, from the fact");
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
