package dev.cachalot.store.tier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The compact index agrees with a HashMap under random puts and removes (probing and deletion). */
class DiskIndexTest {
  @Test
  void agreesWithAMapUnderRandomPutsAndRemoves() {
    DiskIndex index = new DiskIndex(16);
    Map<Long, Long> model = new HashMap<>();
    Random rnd = new Random(7);
    for (int step = 0; step < 200_000; step++) {
      // A small key space with clustered hashes exercises probe chains and backward-shift deletes.
      long key = rnd.nextInt(5000) * 1024L + (rnd.nextBoolean() ? 2 : 3); // never 0 or 1: hash 0 is stored as 1 by design
      if (rnd.nextInt(3) == 0) {
        assertEquals(model.remove(key) != null, index.remove(key), "remove " + key);
      } else {
        long size = rnd.nextInt(100_000);
        index.put(key, key >>> 3, size, Long.MAX_VALUE, 0, false);
        model.put(key, size);
      }
      if (step % 10_000 == 0) {
        assertEquals(model.size(), index.count());
        assertEquals(model.values().stream().mapToLong(Long::longValue).sum(), index.bytes());
        for (Long k : model.keySet()) {
          assertTrue(index.hits(k) >= 0, "lost key " + k);
        }
      }
    }
    assertEquals(model.size(), index.count());
  }

  @Test
  void victimsAreTheLeastHitAmongSamples() {
    DiskIndex index = new DiskIndex(16);
    for (long k = 1; k <= 100; k++) {
      index.put(k, k, 10, Long.MAX_VALUE, 0, false);
      for (int h = 0; h < (k == 42 ? 0 : 3); h++) {
        index.touch(k, 1);
      }
    }
    Random rnd = new Random(1);
    int picked42 = 0;
    for (int i = 0; i < 200; i++) {
      if (index.sampleVictim(rnd, 5000).keyHash() == 42) {
        picked42++;
      }
    }
    assertEquals(200, picked42, "with 5000 samples every entry is seen, so the never-hit one is the victim");
  }

  /**
   * Each eviction sample is uniform over the stored entries, whatever the gaps between their slots
   * (a forward scan from a random slot would favour entries behind long empty runs: with 100
   * entries in 1024 slots some would be drawn 10-50 times as often as others).
   */
  @Test
  void samplesAreUniformOverEntries() {
    DiskIndex index = new DiskIndex(16);
    Random keys = new Random(11);
    Map<Long, Integer> drawn = new HashMap<>();
    for (int i = 0; i < 100; i++) {
      long key = keys.nextLong() | 2; // never 0 or 1
      index.put(key, key, 1, Long.MAX_VALUE, 0, false);
      drawn.put(key, 0);
    }
    Random rnd = new Random(5);
    int draws = 200_000;
    for (int n = 0; n < draws; n++) {
      drawn.merge(index.sampleVictim(rnd, 1).keyHash(), 1, Integer::sum);
    }
    // 2000 expected per entry, standard deviation ~44: [1500, 2500] is more than 11 deviations wide.
    for (Map.Entry<Long, Integer> e : drawn.entrySet()) {
      assertTrue(e.getValue() >= 1500 && e.getValue() <= 2500, "entry drawn " + e.getValue() + " times of " + draws);
    }
  }
}
