package dev.cachalot.store;

import dev.cachalot.store.tier.CaffeineTier;
import java.nio.file.Path;

/** The memory tier alone passes the contract. */
class CaffeineTierContractTest extends CacheStoreContract {
  @Override
  protected CacheStore open(Path dir, TestClock clock) {
    return new CaffeineTier(16L << 20, 4L << 20, clock);
  }
}
