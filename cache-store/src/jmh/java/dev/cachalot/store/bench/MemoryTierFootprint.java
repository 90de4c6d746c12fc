package dev.cachalot.store.bench;

import dev.cachalot.store.EntryHead;
import dev.cachalot.store.HeaderField;
import dev.cachalot.store.StoreKey;
import dev.cachalot.store.tier.CaffeineTier;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.lang.management.MemoryMXBean;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;

/**
 * Measures the Java heap the memory tier holds per entry (bodies are off-heap and not counted):
 * fills a {@link CaffeineTier} with N entries whose heads look like a typical origin response (nine
 * fields, every name and value a fresh string as a parser would make them) and reports the heap
 * delta after a full GC divided by N. Not a JMH benchmark (a one-shot footprint). Run:
 * <pre>
 * java -cp cache-store/target/cache-store-benchmarks.jar dev.cachalot.store.bench.MemoryTierFootprint 100000 [holdMillis]
 * </pre>
 */
public final class MemoryTierFootprint {
  private MemoryTierFootprint() {}

  public static void main(String[] args) throws InterruptedException {
    int entries = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    Instant now = BenchSupport.NOW;
    InstantSource clock = InstantSource.fixed(now);
    CaffeineTier tier = new CaffeineTier(1L << 40, 1 << 20, clock);
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    System.gc();
    long before = mem.getHeapMemoryUsage().getUsed();
    for (int i = 0; i < entries; i++) {
      EntryHead head = new EntryHead(200, List.of(
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
      StoreKey key = StoreKey.of("GET http://www.example.com/articles/" + i + ".html");
      tier.put(key, head, i + 1L, 0, 0, ByteBuffer.allocateDirect(16));
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

  /** A field as parsed off the wire: fresh strings, not literals shared by the JVM. */
  private static HeaderField field(String name, String value) {
    return new HeaderField(new String(name.toCharArray()), new String(value.toCharArray()));
  }
}
