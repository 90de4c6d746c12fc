package dev.cachalot.store.tier;

import dev.cachalot.store.Fixtures;
import dev.cachalot.store.StoreKey;
import dev.cachalot.store.StoredEntry;
import dev.cachalot.store.TestClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Child process of {@link PregeneratedNativeClassTest}: opens a disk tier in {@code args[0]} (creating
 * both map files), stores and reads back one entry, closes, reopens and reads it again, then exits 0.
 * The parent starts it with class-load logging and checks which classes the JVM loaded.
 */
public final class OpenTierChild {
  private OpenTierChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Instant now = Instant.parse("2026-11-26T03:00:00Z");
    TestClock clock = new TestClock(now);
    StoreKey key = StoreKey.of("https://javac.example/one");
    byte[] body = Fixtures.body(7, 1000);
    try (ChronicleTier tier = ChronicleTier.openWithoutSweeper(Fixtures.small(dir).build(), clock)) {
      if (!Fixtures.put(tier, key, Fixtures.head(now, Duration.ofHours(1), "\"1\""), body, 512, now).committed()) {
        throw new AssertionError("the write was not committed");
      }
    }
    try (ChronicleTier tier = ChronicleTier.openWithoutSweeper(Fixtures.small(dir).build(), clock)) {
      Optional<StoredEntry> e = tier.lookup(key, now);
      if (e.isEmpty() || e.get().bodyLength() != body.length) {
        throw new AssertionError("the entry did not survive a reopen");
      }
      e.get().close();
    }
    System.out.println("OK");
  }
}
