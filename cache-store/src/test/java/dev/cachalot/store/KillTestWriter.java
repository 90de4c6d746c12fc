package dev.cachalot.store;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * Child process of {@link KillRecoveryTest}: writes entries in a loop and reports on stdout,
 * {@code BEGIN key seq} before each write and {@code DONE key seq} after each commit, until killed.
 * Body and ETag of sequence number {@code seq} are derived from it, so the parent can check them.
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
    try (TieredCacheStore store = TieredCacheStore.open(Fixtures.small(dir).build(), new TestClock(NOW))) {
      System.out.println("READY");
      System.out.flush();
      for (int seq = 0; ; seq++) {
        int k = seq % KEYS;
        System.out.println("BEGIN " + k + " " + seq);
        System.out.flush();
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
        System.out.println("DONE " + k + " " + seq);
        System.out.flush();
      }
    }
  }
}
