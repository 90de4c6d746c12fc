package dev.cachalot.store.bench;

import dev.cachalot.store.CacheStore;
import dev.cachalot.store.MemoryBodies;
import dev.cachalot.store.StoreConfig;
import dev.cachalot.store.StoreKey;
import dev.cachalot.store.StoredEntry;
import dev.cachalot.store.TieredCacheStore;
import dev.cachalot.store.tier.CaffeineTier;
import dev.cachalot.store.tier.ChronicleTier;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Get and put per tier at 1 KiB, 16 KiB and 1 MiB.
 *
 * <p>Run (short runs: 2 shared cores):
 * <pre>
 * mvn -B -Pbench -pl cache-store -am package -DskipTests
 * java $CHRONICLE_FLAGS -jar cache-store/target/cache-store-benchmarks.jar StoreBench \
 *     -f 1 -wi 2 -i 3 -w 2s -r 3s -t 1 -prof gc      (and again with -t 2)
 * </pre>
 * {@code lookup}: the lookup alone (for memory: the body is then available as a buffer without a
 * copy). {@code lookupAndRead}: lookup plus writing the whole body to a channel that copies it once
 * (like a socket write): what serving a hit costs the store. Both close the entry (releasing a disk
 * entry's lease, or a memory view's reference). {@code -p tier=memory,tiered,tieredCopy} compares a
 * memory hit on an own copy with one on a view of the mapped file. {@code put}: a whole write (begin, append in 64 KiB pieces, commit) over 64 keys.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class StoreBench {
  private static final int KEYS = 64;

  /**
   * {@code memory}: the memory tier alone (its own off-heap copies); {@code disk}: the disk tier
   * alone; {@code tiered}: the store the proxy uses (memory over disk) with
   * {@code cache.memory.bodies: mapped}, so a hit is a memory hit on a view of the disk's mapped
   * chunk (bodies of one chunk); {@code tieredCopy}: the same with {@code copy}.
   */
  @Param({"memory", "disk"})
  public String tier;

  @Param({"1024", "16384", "1048576"})
  public int size;

  private Path dir;
  private CacheStore store;
  private StoreKey[] keys;
  private ByteBuffer body;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = BenchSupport.tempDir("store-bench");
    StoreConfig config = BenchSupport.config(dir, KEYS * 2, size);
    InstantSource clock = InstantSource.fixed(BenchSupport.NOW);
    switch (tier) {
      case "memory":
        store = CaffeineTier.create(config, clock);
        break;
      case "disk":
        store = ChronicleTier.open(config, clock);
        break;
      case "tiered":
        store = TieredCacheStore.open(config.toBuilder().memoryBodies(MemoryBodies.MAPPED).build(), clock);
        break;
      case "tieredCopy":
        store = TieredCacheStore.open(config.toBuilder().memoryBodies(MemoryBodies.COPY).build(), clock);
        break;
      default:
        throw new IllegalArgumentException("tier " + tier);
    }
    keys = new StoreKey[KEYS];
    body = BenchSupport.body(size);
    for (int i = 0; i < KEYS; i++) {
      keys[i] = BenchSupport.key(i);
      BenchSupport.put(store, keys[i], body);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    store.close();
    BenchSupport.deleteTree(dir);
  }

  /** Per-thread sink. */
  @State(Scope.Thread)
  public static class Sink {
    final BenchSupport.NullChannel channel = new BenchSupport.NullChannel();
  }

  private StoreKey anyKey() {
    return keys[ThreadLocalRandom.current().nextInt(KEYS)];
  }

  @Benchmark
  public void lookup(Blackhole bh) {
    Optional<StoredEntry> e = store.lookup(anyKey(), BenchSupport.NOW);
    try (StoredEntry entry = e.orElseThrow()) {
      bh.consume(entry.bodyBuffer());
    }
  }

  @Benchmark
  public long lookupAndRead(Sink sink) throws IOException {
    try (StoredEntry e = store.lookup(anyKey(), BenchSupport.NOW).orElseThrow()) {
      e.transferTo(0, e.bodyLength(), sink.channel);
    }
    return sink.channel.bytes;
  }

  @Benchmark
  public void put() {
    BenchSupport.put(store, anyKey(), body);
  }
}
