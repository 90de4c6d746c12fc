package dev.cachalot.store;

import java.io.IOException;
import java.nio.file.Path;

/** The tiered store (memory over disk) passes the contract. */
class TieredCacheStoreContractTest extends CacheStoreContract {
  @Override
  protected CacheStore open(Path dir, TestClock clock) throws IOException {
    return TieredCacheStore.open(Fixtures.small(dir).build(), clock);
  }
}
