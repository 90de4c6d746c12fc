package dev.cachalot.store;

import dev.cachalot.store.tier.ChronicleTier;
import java.io.IOException;
import java.nio.file.Path;

/** The disk tier alone passes the contract. */
class ChronicleTierContractTest extends CacheStoreContract {
  @Override
  protected CacheStore open(Path dir, TestClock clock) throws IOException {
    return ChronicleTier.openWithoutSweeper(Fixtures.small(dir).build(), clock);
  }
}
