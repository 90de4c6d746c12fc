package dev.cachalot.store;

import java.io.FileOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * Child process of {@link KillRecoveryTest}: writes entries in a loop and reports in a log file
 * (args: cache dir, log file, first sequence number), {@code BEGIN key seq} before each write and
 * {@code DONE key seq} after each commit, until killed. Each line is one write(2) to the file, so
 * it survives the kill (a pipe read concurrently with the kill can lose lines). Body and ETag of
 * sequence number {@code seq} are derived from it, so the parent can check them.
 */
public final class KillTestWriter {
  /** Keys cycle over this many names, so later writes replace earlier ones. */
  static final int KEYS = 120;
  /** A fixed write time: the parent checks with the same instant. */
  static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

  private KillTestWriter() {}

  static StoreKey key(int k) {
    return StoreKey.of("https://kill.example/" + k);
  }

  static int size(int seq) {
    return (int) ((seq * 7919L) % 60_000) + (seq % 3 == 0 ? 0 : 1);
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int first = Integer.parseInt(args[2]);
    try (TieredCacheStore store = TieredCacheStore.open(Fixtures.small(dir).build(), new TestClock(NOW));
        FileOutputStream log = new FileOutputStream(args[1], true)) {
      for (int seq = first; ; seq++) {
        int k = seq % KEYS;
        log.write(("BEGIN " + k + " " + seq + "\n").getBytes(StandardCharsets.US_ASCII));
        byte[] body = Fixtures.body(seq, size(seq));
        try (EntryWriter w = store.beginWrite(key(k), Fixtures.head(NOW, Duration.ofDays(1), "\"" + seq + "\""),
            body.length, NOW)) {
          for (int off = 0; off < body.length; off += 1000) {
            w.append(ByteBuffer.wrap(body, off, Math.min(1000, body.length - off)));
          }
          if (!w.commit(NOW).committed()) {
            throw new IllegalStateException("commit failed at " + seq);
          }
        }
        log.write(("DONE " + k + " " + seq + "\n").getBytes(StandardCharsets.US_ASCII));
      }
    }
  }
}
