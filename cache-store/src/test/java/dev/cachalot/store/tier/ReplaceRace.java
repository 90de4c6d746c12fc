package dev.cachalot.store.tier;

import static dev.cachalot.store.Fixtures.body;
import static dev.cachalot.store.Fixtures.head;
import static dev.cachalot.store.Fixtures.put;
import static dev.cachalot.store.Fixtures.view;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.store.CacheStore;
import dev.cachalot.store.CommitResult;
import dev.cachalot.store.StoreKey;
import dev.cachalot.store.StoredEntry;
import dev.cachalot.store.TestClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One writer replacing an entry {@code rounds} times (version i has ETag "i" and body {@code body(i)})
 * while one reader looks it up as often, holding its last few hits: every held body must stay its own
 * version's bytes, whatever the writer freed and reused meanwhile (no torn or foreign body).
 */
final class ReplaceRace {
  private static final Duration HOUR = Duration.ofHours(1);

  private ReplaceRace() {}

  /** Runs the race on a store whose entry {@code k} holds version 0; returns the hits {@code counted} accepted. */
  static int run(CacheStore store, StoreKey k, int rounds, int size, TestClock clock, Predicate<StoredEntry> counted)
      throws Exception {
    CyclicBarrier start = new CyclicBarrier(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<?> writer = pool.submit(() -> {
        start.await(30, TimeUnit.SECONDS);
        for (int i = 1; i <= rounds; i++) {
          CommitResult r = put(store, k, head(clock.now(), HOUR, "\"" + i + "\""), body(i, size), size, clock.now());
          assertTrue(r.committed());
        }
        return null;
      });
      Future<Integer> reader = pool.submit(() -> {
        start.await(30, TimeUnit.SECONDS);
        int checked = 0;
        List<StoredEntry> held = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
          StoredEntry e = store.lookup(k, clock.now()).orElse(null);
          if (e == null) {
            continue; // between a removal and its successor a lookup may miss; never a wrong body
          }
          held.add(e);
          // Checked again after later writes: every held view keeps its own entry's bytes.
          for (StoredEntry h : held) {
            int s = Integer.parseInt(h.head().firstValue("ETag").replace("\"", ""));
            assertArrayEquals(body(s, size), view(h), "body of version " + s);
          }
          if (counted.test(e)) {
            checked++;
          }
          if (held.size() > 4) {
            held.remove(0).close();
          }
        }
        for (StoredEntry h : held) {
          h.close();
        }
        return checked;
      });
      writer.get(120, TimeUnit.SECONDS);
      return reader.get(120, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
  }
}
