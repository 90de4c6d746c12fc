package dev.cachalot.store.bench;

import dev.cachalot.store.StoreConfig;
import dev.cachalot.store.StoreKey;
import dev.cachalot.store.StoredEntry;
import dev.cachalot.store.TieredCacheStore;
import dev.cachalot.store.tier.ChronicleTier;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;

/**
 * Measures start-up time of the disk tier with N entries (clean and after an unclean shutdown) and
 * the heap held per disk-only entry, for small and large bodies. Not a JMH benchmark (one-shot
 * timings of a cold open). Run:
 * <pre>
 * java $CHRONICLE_FLAGS -cp cache-store/target/cache-store-benchmarks.jar \
 *     dev.cachalot.store.bench.StartupMeasure 100000 [bodySize ...]   (default sizes: 1024 16384)
 * </pre>
 * After each open it also looks every entry up once (closing each, so the decoded-head cache and
 * the lease table are exercised) and reports the heap per entry again: the decoded-head cache is
 * bounded, so this must not grow with the body size either.
 */
public final class StartupMeasure {
  private StartupMeasure() {}

  public static void main(String[] args) throws Exception {
    int entries = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    InstantSource clock = InstantSource.fixed(BenchSupport.NOW);
    int[] sizes = args.length > 1 ? new int[args.length - 1] : new int[] {1024, 16 * 1024};
    for (int i = 1; i < args.length; i++) {
      sizes[i - 1] = Integer.parseInt(args[i]);
    }
    for (int size : sizes) {
      Path dir = BenchSupport.tempDir("startup");
      StoreConfig config = StoreConfig.builder()
          .directory(dir)
          .diskMaxEntries(entries * 2L)
          .diskMaxBytes(Math.max(1L << 30, (long) entries * size * 2))
          .averageBodyBytes(size)
          .build();
      ByteBuffer body = BenchSupport.body(size);
      long t0 = System.nanoTime();
      try (ChronicleTier tier = ChronicleTier.open(config, clock)) {
        for (int i = 0; i < entries; i++) {
          BenchSupport.put(tier, BenchSupport.key(i), body);
        }
      }
      long fillMs = (System.nanoTime() - t0) / 1_000_000;
      long du = duKiB(dir);
      MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
      for (int run = 0; run < 2; run++) {
        if (run == 1) {
          Files.deleteIfExists(dir.resolve("clean-shutdown")); // as after kill -9
        }
        System.gc();
        long heapBefore = mem.getHeapMemoryUsage().getUsed();
        long s0 = System.nanoTime();
        TieredCacheStore store = TieredCacheStore.open(config, clock);
        long openMs = (System.nanoTime() - s0) / 1_000_000;
        StoreKey probe = BenchSupport.key(entries / 2);
        boolean hit;
        try (StoredEntry e = store.lookup(probe, BenchSupport.NOW).orElse(null)) {
          hit = e != null;
        }
        System.gc();
        long heapAfter = mem.getHeapMemoryUsage().getUsed();
        ChronicleTier disk = store.diskTier().orElseThrow();
        System.out.printf("entries=%d body=%dB %s open: %d ms (hit=%b); heap delta %.1f B/entry; index arrays %.1f B/entry;"
                + " fill %d ms; files %d MiB on disk%n",
            entries, size, run == 0 ? "clean" : "unclean(recovery)", openMs, hit,
            (heapAfter - heapBefore) / (double) entries, disk.indexHeapBytes() / (double) entries, fillMs, du / 1024);
        for (int i = 0; i < entries; i++) {
          store.lookup(BenchSupport.key(i), BenchSupport.NOW).orElseThrow().close();
        }
        System.gc();
        long heapRead = mem.getHeapMemoryUsage().getUsed();
        System.out.printf("  after looking up every entry once: heap delta %.1f B/entry; leases outstanding %d%n",
            (heapRead - heapBefore) / (double) entries, disk.leaseStats().outstanding());
        store.close();
      }
      BenchSupport.deleteTree(dir);
    }
  }

  private static long duKiB(Path dir) throws Exception {
    Process p = new ProcessBuilder("du", "-sk", dir.toString()).start();
    String out = new String(p.getInputStream().readAllBytes()).trim();
    p.waitFor();
    return Long.parseLong(out.split("\\s+")[0]);
  }
}
