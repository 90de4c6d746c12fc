package dev.cachalot.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Configuration fails fast, naming the key, the value and the rule. */
class StoreConfigTest {
  @Test
  void defaultsAreValidAndDocumented() {
    StoreConfig c = StoreConfig.defaults();
    assertEquals(Path.of("var", "cache"), c.directory());
    assertEquals(1L << 30, c.maxObjectBytes());
    assertEquals(64 * 1024, c.chunkBytes());
  }

  @Test
  void badValuesNameKeyValueAndRule() {
    StoreConfigException e = assertThrows(StoreConfigException.class,
        () -> StoreConfig.builder().chunkBytes(100).build());
    assertEquals("cache.disk.chunk-bytes", e.key());
    assertEquals("100", e.value());
    assertEquals("cache.disk.chunk-bytes = 100: must be between 4096 and 4194304", e.getMessage());

    e = assertThrows(StoreConfigException.class,
        () -> StoreConfig.builder().memoryMaxBytes(1000).memoryMaxObjectBytes(2000).build());
    assertEquals("cache.memory.max-object-bytes", e.key());

    e = assertThrows(StoreConfigException.class,
        () -> StoreConfig.builder().diskMaxBytes(1L << 20).build());
    assertEquals("cache.max-object-bytes", e.key());

    e = assertThrows(StoreConfigException.class,
        () -> StoreConfig.builder().sweepInterval(Duration.ZERO).build());
    assertEquals("cache.disk.sweep-interval", e.key());

    e = assertThrows(StoreConfigException.class,
        () -> StoreConfig.builder().chunkBytes(4096).maxObjectBytes(8L << 30).diskMaxBytes(16L << 30).build());
    assertEquals("cache.max-object-bytes", e.key());
  }

  @Test
  void memoryBodiesDefaultToMappedAndABadWordNamesTheKey() {
    assertEquals(MemoryBodies.MAPPED, StoreConfig.defaults().memoryBodies());
    assertEquals(MemoryBodies.COPY, MemoryBodies.parse(" Copy "));
    StoreConfigException e = assertThrows(StoreConfigException.class, () -> MemoryBodies.parse("twice"));
    assertEquals("cache.memory.bodies", e.key());
    assertEquals("twice", e.value());
    e = assertThrows(StoreConfigException.class, () -> StoreConfig.builder().memoryBodies(null).build());
    assertEquals("cache.memory.bodies", e.key());
  }
}
