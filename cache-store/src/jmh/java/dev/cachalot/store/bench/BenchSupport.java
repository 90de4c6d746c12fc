package dev.cachalot.store.bench;

import dev.cachalot.store.EntryHead;
import dev.cachalot.store.EntryWriter;
import dev.cachalot.store.HeaderField;
import dev.cachalot.store.StoreConfig;
import dev.cachalot.store.StoreKey;
import dev.cachalot.store.CacheStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/** Shared helpers for the store benchmarks. */
final class BenchSupport {
  static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

  private BenchSupport() {}

  static EntryHead head() {
    return new EntryHead(200,
        List.of(new HeaderField("Content-Type", "application/octet-stream"),
            new HeaderField("ETag", "\"abcdef0123456789\""),
            new HeaderField("Cache-Control", "public, max-age=3600"),
            new HeaderField("Last-Modified", "Wed, 25 Nov 2026 10:00:00 GMT")),
        NOW, NOW, NOW.plus(Duration.ofDays(7)));
  }

  static StoreKey key(int i) {
    return StoreKey.of("https://bench.example/objects/" + i + "?v=1");
  }

  static ByteBuffer body(int size) {
    byte[] b = new byte[size];
    new SplittableRandom(size).nextBytes(b);
    return ByteBuffer.wrap(b).asReadOnlyBuffer();
  }

  /** Config for a benchmark store in {@code dir} that holds {@code entries} bodies of {@code size}. */
  static StoreConfig config(Path dir, int entries, long size) {
    long bytes = Math.max(64L << 20, entries * size * 2);
    return StoreConfig.builder()
        .directory(dir)
        .memoryMaxBytes(Math.max(64L << 20, entries * size * 2))
        .memoryMaxObjectBytes(Math.max(size, 1 << 20))
        .maxObjectBytes(Math.max(size, 1 << 20))
        .diskMaxBytes(bytes)
        .diskMaxEntries(Math.max(1024, entries * 2))
        .averageBodyBytes((int) Math.min(size, 64L << 20))
        .build();
  }

  /** Writes one entry, appending in 64 KiB pieces. */
  static void put(CacheStore store, StoreKey key, ByteBuffer body) {
    try (EntryWriter w = store.beginWrite(key, head(), body.remaining(), NOW)) {
      ByteBuffer b = body.duplicate();
      while (b.hasRemaining()) {
        ByteBuffer piece = b.duplicate();
        piece.limit(Math.min(b.limit(), b.position() + 65536));
        w.append(piece);
        b.position(piece.limit());
      }
      if (!w.commit(NOW).committed()) {
        throw new IllegalStateException("benchmark write not committed");
      }
    }
  }

  static Path tempDir(String prefix) throws IOException {
    Path base = Path.of(System.getProperty("bench.dir", System.getProperty("java.io.tmpdir")));
    Files.createDirectories(base);
    return Files.createTempDirectory(base, prefix);
  }

  static void deleteTree(Path dir) throws IOException {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * A channel that copies what it is given once into a reusable 64 KiB direct buffer and drops it,
   * like a socket write copying into the kernel; counts the bytes.
   */
  static final class NullChannel implements WritableByteChannel {
    private final ByteBuffer kernel = ByteBuffer.allocateDirect(64 * 1024);
    long bytes;

    @Override
    public int write(ByteBuffer src) {
      int n = Math.min(src.remaining(), kernel.capacity());
      ByteBuffer piece = src.duplicate();
      piece.limit(piece.position() + n);
      kernel.clear();
      kernel.put(piece);
      src.position(src.position() + n);
      bytes += n;
      return n;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }
}
