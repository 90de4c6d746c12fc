package dev.cachalot.store;

import static dev.cachalot.store.Fixtures.body;
import static dev.cachalot.store.Fixtures.head;
import static dev.cachalot.store.Fixtures.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.store.tier.CaffeineTier;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Memory-tier behaviour: byte bound, frequency-aware admission, expiry on the injected clock. */
class CaffeineTierTest {
  private final TestClock clock = new TestClock();

  @Test
  void oneHitWondersDoNotEvictHotEntries() {
    CaffeineTier tier = new CaffeineTier(1L << 20, 64 * 1024, clock);
    for (int i = 0; i < 20; i++) {
      StoreKey k = StoreKey.of("https://a.example/hot" + i);
      put(tier, k, head(clock.now(), Duration.ofHours(1), "\"h\""), body(i, 10_000), 10_000, clock.now());
    }
    for (int r = 0; r < 20; r++) {
      for (int i = 0; i < 20; i++) {
        tier.lookup(StoreKey.of("https://a.example/hot" + i), clock.now());
      }
    }
    for (int i = 0; i < 500; i++) {
      put(tier, StoreKey.of("https://a.example/once" + i), head(clock.now(), Duration.ofHours(1), "\"o\""),
          body(i, 10_000), 10_000, clock.now());
    }
    tier.cleanUp();
    int hotLeft = 0;
    for (int i = 0; i < 20; i++) {
      if (tier.lookup(StoreKey.of("https://a.example/hot" + i), clock.now()).isPresent()) {
        hotLeft++;
      }
    }
    assertTrue(hotLeft >= 18, "hot entries left: " + hotLeft);
    assertTrue(tier.tierStats().bytes() <= 1L << 20, "bytes " + tier.tierStats().bytes());
    assertTrue(tier.tierStats().evictions() > 0);
  }

  @Test
  void entriesExpireOnTheInjectedClock() {
    CaffeineTier tier = new CaffeineTier(1L << 20, 64 * 1024, clock);
    StoreKey k = StoreKey.of("https://a.example/exp");
    put(tier, k, head(clock.now(), Duration.ofSeconds(10), "\"e\""), body(1, 100), 100, clock.now());
    clock.advance(Duration.ofSeconds(11));
    tier.cleanUp();
    assertEquals(0, tier.tierStats().entries());
    assertEquals(1, tier.tierStats().expirations());
    assertTrue(tier.listVariants(k).isEmpty(), "expired keys leave the variant index");
  }
}
