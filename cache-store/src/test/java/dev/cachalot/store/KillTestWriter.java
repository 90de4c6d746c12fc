package dev.cachalot.store;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Child process of {@link KillRecoveryTest}: writes entries and replaces heads in a loop from
 * several threads and reports in a log file (args: cache dir, log file, first sequence number,
 * threads), until killed.
 *
 * <p>Keys are {@link #VARIANTS} variants under each of {@link #PRIMARIES} primaries (so every
 * change rewrites a head record shared with sibling variants). Thread {@code t} of {@code n} owns
 * the keys {@code k} with {@code k % n == t} (so threads share primaries but never a key) and
 * logs {@code BEGIN k seq W} before a write and {@code DONE k seq W} after its commit, or
 * {@code BEGIN k seq R} / {@code DONE k seq R} around a head replacement. A written entry has
 * {@code ETag: "seq"} (it names the body) and {@code X-Seq: seq}; a replaced head keeps the ETag
 * and gets a new {@code X-Seq}. Each log line is one write(2) on an O_APPEND file, so it survives
 * the kill whole (a pipe read concurrently with the kill can lose lines).
 */
public final class KillTestWriter {
  /** Primary keys. */
  static final int PRIMARIES = 40;
  /** Variants per primary. */
  static final int VARIANTS = 3;
  /** Keys in all. */
  static final int KEYS = PRIMARIES * VARIANTS;
  /** A fixed write time: the parent checks with the same instant. */
  static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

  private KillTestWriter() {}

  static StoreKey key(int k) {
    return StoreKey.of("https://kill.example/" + (k / VARIANTS), "v" + (k % VARIANTS));
  }

  /** Body size of sequence number {@code seq}: mostly small (head rewrites dominate), some multi-chunk. */
  static int size(int seq) {
    int r = (int) ((seq * 7919L) % 1000);
    return seq % 5 == 0 ? r * 20 + (seq % 3) : r + (seq % 2);
  }

  /** True when sequence number {@code seq} replaces the head instead of writing a new entry. */
  static boolean isReplace(int seq) {
    return seq % 3 == 1;
  }

  static EntryHead head(int bodySeq, int headSeq) {
    return new EntryHead(200,
        List.of(new HeaderField("ETag", "\"" + bodySeq + "\""),
            new HeaderField("X-Seq", Integer.toString(headSeq)),
            new HeaderField("Cache-Control", "max-age=60")),
        NOW.minusMillis(5), NOW, NOW.plus(Duration.ofDays(1)));
  }

  /** The sequence number of the body an entry holds (its ETag). */
  static int bodySeq(StoredEntry e) {
    String etag = e.head().firstValue("ETag");
    return Integer.parseInt(etag.substring(1, etag.length() - 1));
  }

  /** The sequence number of the operation that wrote an entry's head. */
  static int headSeq(StoredEntry e) {
    return Integer.parseInt(e.head().firstValue("X-Seq"));
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int first = Integer.parseInt(args[2]);
    int threads = Integer.parseInt(args[3]);
    try (TieredCacheStore store = TieredCacheStore.open(Fixtures.small(dir).build(), new TestClock(NOW));
        FileOutputStream log = new FileOutputStream(args[1], true)) {
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int me = t;
        Thread w = new Thread(() -> run(store, log, first, me, threads), "kill-writer-" + t);
        w.start();
        workers.add(w);
      }
      for (Thread w : workers) {
        w.join();
      }
    }
  }

  /** One writer thread: sequence numbers {@code first + t, first + t + n, ...}. */
  private static void run(CacheStore store, FileOutputStream log, int first, int t, int n) {
    try {
      for (int seq = first + t; ; seq += n) {
        int k = Math.floorMod(seq * 7, KEYS); // 7 is coprime to KEYS: every key, spread out
        if (k % n != t) {
          continue;
        }
        StoreKey key = key(k);
        Optional<StoredEntry> current = store.lookup(key, NOW);
        if (isReplace(seq) && current.isPresent()) {
          line(log, "BEGIN " + k + " " + seq + " R");
          ReplaceOutcome r = store.replaceHead(current.get(), head(bodySeq(current.get()), seq), NOW);
          if (r != ReplaceOutcome.REPLACED) {
            throw new IllegalStateException("replace failed at " + seq + ": " + r);
          }
          line(log, "DONE " + k + " " + seq + " R");
          continue;
        }
        line(log, "BEGIN " + k + " " + seq + " W");
        byte[] body = Fixtures.body(seq, size(seq));
        try (EntryWriter w = store.beginWrite(key, head(seq, seq), body.length, NOW)) {
          for (int off = 0; off < body.length; off += 1000) {
            w.append(ByteBuffer.wrap(body, off, Math.min(1000, body.length - off)));
          }
          CommitResult c = w.commit(NOW);
          if (c.outcome() != WriteOutcome.COMMITTED) {
            throw new IllegalStateException("commit failed at " + seq + ": " + c.outcome());
          }
        }
        line(log, "DONE " + k + " " + seq + " W");
      }
    } catch (IOException | RuntimeException e) {
      e.printStackTrace();
      System.exit(3);
    }
  }

  private static void line(FileOutputStream log, String s) throws IOException {
    log.write((s + "\n").getBytes(StandardCharsets.US_ASCII));
  }
}
