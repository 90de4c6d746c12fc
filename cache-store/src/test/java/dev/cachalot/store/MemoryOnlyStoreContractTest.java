package dev.cachalot.store;

import java.io.IOException;
import java.nio.file.Path;

/** The tiered store with the disk tier disabled passes the contract. */
class MemoryOnlyStoreContractTest extends CacheStoreContract {
  @Override
  protected CacheStore open(Path dir, TestClock clock) throws IOException {
    return TieredCacheStore.open(Fixtures.small(dir).diskEnabled(false).memoryMaxObjectBytes(4L << 20).build(), clock);
  }
}
