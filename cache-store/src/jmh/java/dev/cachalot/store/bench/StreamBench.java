package dev.cachalot.store.bench;

import dev.cachalot.store.EntryWriter;
import dev.cachalot.store.StoreConfig;
import dev.cachalot.store.StoreKey;
import dev.cachalot.store.StoredEntry;
import dev.cachalot.store.tier.ChronicleTier;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.InstantSource;
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

/**
 * Streaming a 1 GiB body into and out of the disk tier (single shot per iteration; MB/s = 1024 /
 * seconds). Run:
 * <pre>
 * java $CHRONICLE_FLAGS -jar cache-store/target/cache-store-benchmarks.jar StreamBench \
 *     -f 1 -wi 1 -i 3 -bm ss -tu s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StreamBench {
  static final long GIB = 1L << 30;
  private static final int PIECE = 64 * 1024;

  /** {@code cache.disk.chunk-bytes}: the default 64 KiB, and 1 MiB (16x fewer Chronicle operations). */
  @Param({"65536", "1048576"})
  public int chunkBytes;

  private Path dir;
  private ChronicleTier tier;
  private final ByteBuffer piece = BenchSupport.body(PIECE);
  private final StoreKey key = BenchSupport.key(1);
  private int round;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = BenchSupport.tempDir("stream-bench");
    StoreConfig config = StoreConfig.builder()
        .directory(dir)
        .maxObjectBytes(GIB)
        .diskMaxBytes(3 * GIB)
        .diskMaxEntries(1024)
        .averageBodyBytes(64 << 20)
        .chunkBytes(chunkBytes)
        .build();
    tier = ChronicleTier.open(config, InstantSource.fixed(BenchSupport.NOW));
    writeGiB(key);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    tier.close();
    BenchSupport.deleteTree(dir);
  }

  private void writeGiB(StoreKey k) {
    try (EntryWriter w = tier.beginWrite(k, BenchSupport.head(), GIB, BenchSupport.NOW)) {
      for (long n = 0; n < GIB; n += PIECE) {
        w.append(piece);
      }
      if (!w.commit(BenchSupport.NOW).committed()) {
        throw new IllegalStateException("1 GiB write not committed");
      }
    }
  }

  /** Writes a 1 GiB body (replacing the previous one, whose chunks are then removed). */
  @Benchmark
  public void write1GiB() {
    writeGiB(BenchSupport.key(100 + (round++ & 1)));
  }

  /** Reads the 1 GiB body back through the channel API (every chunk CRC-checked). */
  @Benchmark
  public long read1GiB() throws IOException {
    BenchSupport.NullChannel out = new BenchSupport.NullChannel();
    try (StoredEntry e = tier.lookup(key, BenchSupport.NOW).orElseThrow()) {
      e.transferTo(0, e.bodyLength(), out);
    }
    if (out.bytes != GIB) {
      throw new IllegalStateException("read " + out.bytes);
    }
    return out.bytes;
  }
}
