package dev.cachalot.store;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Test fixtures: small store configurations, deterministic bodies and heads with explicit times. */
public final class Fixtures {
  /** Chunk size used by tests (small, so multi-chunk bodies stay small). */
  public static final int CHUNK = 4096;

  private Fixtures() {}

  /**
   * Resident KiB of this process's mappings of {@code file} whose permissions start with {@code perms}
   * ({@code "rw"}: Chronicle's own mappings; {@code "r-"}: the JDK's read-only views), from
   * {@code /proc/self/smaps}.
   */
  public static long mappingRssKib(Path file, String perms) throws IOException {
    long kib = 0;
    boolean inFile = false;
    for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
      if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
        String[] f = line.trim().split("\\s+");
        inFile = f.length > 5 && f[5].equals(file.toString()) && f[1].startsWith(perms);
      } else if (inFile && line.startsWith("Rss:")) {
        kib += Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return kib;
  }

  /**
   * Flips one bit of the byte {@code delta} bytes into the first occurrence of {@code needle} in
   * {@code file} (a corruption on disk); fails if the pattern is absent.
   */
  public static void flipAt(Path file, byte[] needle, int delta) throws IOException {
    byte[] all = Files.readAllBytes(file);
    outer:
    for (int i = 0; i + needle.length <= all.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (all[i + j] != needle[j]) {
          continue outer;
        }
      }
      try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
        f.seek(i + delta);
        int b = f.read();
        f.seek(i + delta);
        f.write(b ^ 0x40);
      }
      return;
    }
    throw new AssertionError("pattern not found in " + file);
  }

  /** A small configuration in {@code dir}: 4 KiB chunks, bodies up to 8 KiB read inline. */
  public static StoreConfig.Builder small(Path dir) {
    return StoreConfig.builder()
        .directory(dir)
        .memoryMaxBytes(16L << 20)
        .memoryMaxObjectBytes(64 * 1024)
        .maxObjectBytes(4L << 20)
        .diskMaxBytes(32L << 20)
        .diskMaxEntries(4096)
        .chunkBytes(CHUNK)
        .averageHeadBytes(256)
        .averageBodyBytes(8 * 1024)
        .inlineReadMaxBytes(2 * CHUNK)
        .promoteAfterHits(2)
        .maxVariants(8)
        .sweepInterval(Duration.ofHours(1));
  }

  /** Deterministic body bytes for a seed. */
  public static byte[] body(long seed, int length) {
    byte[] b = new byte[length];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  /** A head with a few fields, retained until {@code now + retain}. */
  public static EntryHead head(Instant now, Duration retain, String etag) {
    return new EntryHead(200,
        List.of(new HeaderField("Content-Type", "application/octet-stream"),
            new HeaderField("ETag", etag),
            new HeaderField("Cache-Control", "max-age=60")),
        now.minusMillis(5), now, now.plus(retain));
  }

  /** Writes and commits a body in pieces of {@code piece} bytes. */
  public static CommitResult put(CacheStore store, StoreKey key, EntryHead head, byte[] body, int piece,
      Instant now) {
    try (EntryWriter w = store.beginWrite(key, head, body.length, now)) {
      for (int off = 0; off < body.length; off += piece) {
        w.append(ByteBuffer.wrap(body, off, Math.min(piece, body.length - off)));
      }
      return w.commit(now);
    }
  }

  /** Reads a whole body through the stream API. */
  public static byte[] read(StoredEntry e) {
    try (InputStream in = e.openBody()) {
      return in.readAllBytes();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  /** The bytes between a buffer's position and limit, without moving it. */
  public static byte[] bytes(ByteBuffer b) {
    ByteBuffer d = b.duplicate();
    byte[] out = new byte[d.remaining()];
    d.get(out);
    return out;
  }

  /** Reads a whole body through its buffer view (not the stream API). */
  public static byte[] view(StoredEntry e) {
    return bytes(e.bodyBuffer().orElseThrow());
  }

  /** Reads a body range through a channel. */
  public static byte[] readRange(StoredEntry e, long offset, long length) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    e.transferTo(offset, length, java.nio.channels.Channels.newChannel(out));
    return out.toByteArray();
  }

  /**
   * The start of a command that runs a child JVM like this test JVM: its java, and the module and
   * Chronicle flags of its own command line (Chronicle Map needs them in the child too).
   */
  public static List<String> childJvm() {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle") || arg.startsWith("--sun-misc")
          || arg.startsWith("--enable-native-access")) {
        cmd.add(arg);
      }
    }
    return cmd;
  }
}
