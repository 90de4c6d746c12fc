package dev.cachalot.store.bench;

import dev.cachalot.store.EntryHead;
import dev.cachalot.store.EntryWriter;
import dev.cachalot.store.HeaderField;
import dev.cachalot.store.MemoryBodies;
import dev.cachalot.store.StoreConfig;
import dev.cachalot.store.StoreKey;
import dev.cachalot.store.TieredCacheStore;
import dev.cachalot.store.tier.CaffeineTier;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.lang.management.MemoryMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;

/**
 * Measures the Java heap the memory tier holds per entry (bodies are off-heap and not counted):
 * fills a {@link CaffeineTier} with N entries whose heads look like a typical origin response (nine
 * fields, every name and value a fresh string as a parser would make them) and reports the heap
 * delta after a full GC divided by N. Not a JMH benchmark (a one-shot footprint). Run:
 * <pre>
 * java -cp cache-store/target/cache-store-benchmarks.jar dev.cachalot.store.bench.MemoryTierFootprint 100000 [holdMillis]
 * java $CHRONICLE_FLAGS -cp ... MemoryTierFootprint 100000 0 mapped     (or copy: the tiered store, see tiered())
 * </pre>
 */
public final class MemoryTierFootprint {
  private MemoryTierFootprint() {}

  public static void main(String[] args) throws InterruptedException, IOException {
    int entries = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    String mode = args.length > 2 ? args[2] : "alone";
    if (!mode.equals("alone")) {
      tiered(entries, MemoryBodies.parse(mode));
      return;
    }
    Instant now = BenchSupport.NOW;
    InstantSource clock = InstantSource.fixed(now);
    CaffeineTier tier = new CaffeineTier(1L << 40, 1 << 20, clock);
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    System.gc();
    long before = mem.getHeapMemoryUsage().getUsed();
    for (int i = 0; i < entries; i++) {
      StoreKey key = StoreKey.of("GET http://www.example.com/articles/" + i + ".html");
      tier.put(key, head(i, now), i + 1L, 0, 0, ByteBuffer.allocateDirect(16));
    }
    tier.cleanUp();
    System.gc();
    long after = mem.getHeapMemoryUsage().getUsed();
    System.out.printf("memory tier: %d entries, heap %.1f MiB, %.0f B/entry (bodies off-heap, not counted)%n",
        tier.tierStats().entries(), (after - before) / 1048576.0, (after - before) / (double) entries);
    if (args.length > 1) {
      Thread.sleep(Long.parseLong(args[1])); // time to take a class histogram (jcmd PID GC.class_histogram)
    }
    Reference.reachabilityFence(tier);
  }

  /**
   * The memory tier's share of the heap in the store the proxy uses (memory over disk, bodies of
   * 16 B written through): heap with every entry in both tiers minus heap after the memory tier was
   * emptied (the disk tier's index and decoded-head cache stay), per entry. With {@code mapped} a
   * memory entry holds a view and a disk lease instead of its own direct buffer.
   */
  private static void tiered(int entries, MemoryBodies bodies) throws IOException, InterruptedException {
    Instant now = BenchSupport.NOW;
    InstantSource clock = InstantSource.fixed(now);
    Path dir = BenchSupport.tempDir("footprint");
    StoreConfig config = StoreConfig.builder().directory(dir).memoryMaxBytes(1L << 40)
        .diskMaxEntries(Math.max(1024, entries * 2L)).averageBodyBytes(64).memoryBodies(bodies).build();
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    try (TieredCacheStore store = TieredCacheStore.open(config, clock)) {
      List<StoreKey> keys = new ArrayList<>(entries);
      ByteBuffer body = ByteBuffer.wrap(new byte[16]);
      for (int i = 0; i < entries; i++) {
        StoreKey key = StoreKey.of("GET http://www.example.com/articles/" + i + ".html");
        keys.add(key);
        try (EntryWriter w = store.beginWrite(key, head(i, now), 16, now)) {
          w.append(body.duplicate());
          w.commit(now);
        }
      }
      store.memoryTier().cleanUp();
      System.gc();
      Thread.sleep(200); // let the reference handler free collected direct buffers (a one-shot tool, not a test)
      System.gc();
      long withMemory = mem.getHeapMemoryUsage().getUsed();
      long inMemory = store.memoryTier().tierStats().entries();
      for (StoreKey k : keys) {
        store.memoryTier().remove(k);
      }
      store.memoryTier().cleanUp();
      System.gc();
      Thread.sleep(200);
      System.gc();
      long without = mem.getHeapMemoryUsage().getUsed();
      System.out.printf("memory tier over disk (%s): %d entries, memory tier's heap %.1f MiB, %.0f B/entry%n",
          bodies.word(), inMemory, (withMemory - without) / 1048576.0, (withMemory - without) / (double) inMemory);
    } finally {
      BenchSupport.deleteTree(dir);
    }
  }

  private static EntryHead head(int i, Instant now) {
    return new EntryHead(200, List.of(
        field("Content-Type", "text/html; charset=utf-8"),
        field("Content-Length", "16"),
        field("Cache-Control", "public, max-age=3600"),
        field("ETag", "\"5f3c-" + Integer.toHexString(i) + "\""),
        field("Last-Modified", "Tue, 24 Nov 2026 10:00:00 GMT"),
        field("Date", "Wed, 25 Nov 2026 12:00:00 GMT"),
        field("Server", "nginx/1.22.1"),
        field("Accept-Ranges", "bytes"),
        field("Vary", "Accept-Encoding")),
        now, now, now.plusSeconds(86_400));
  }

  /** A field as parsed off the wire: fresh strings, not literals shared by the JVM. */
  private static HeaderField field(String name, String value) {
    return new HeaderField(new String(name.toCharArray()), new String(value.toCharArray()));
  }
}
