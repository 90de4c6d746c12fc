package dev.cachalot.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cachalot.store.tier.ChronicleTier;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Black-box crash test: a child JVM ({@link KillTestWriter}, two threads) writes entries and
 * replaces heads of three variants under each of 40 primaries, and is killed with {@code kill -9}
 * ({@link Process#destroyForcibly}) in the middle of its work, several rounds on the same
 * directory. After each kill the directory is reopened (Chronicle recovery runs) and every key must
 * show exactly its last reported state, or the result of the one operation in flight on it at the
 * kill; every body must be intact; the chunks of cut-off writes must be reclaimed; nothing may be
 * counted as corrupt.
 *
 * <p>Rounds: {@code -Dstore.killRounds=N} (default 4; use 50+ for a long run). A round costs one
 * child JVM start and one recovery open; on the shared 2-core machine at load 30-40 a round took
 * 20-40 s, so a few seconds are expected on idle cores. It waits on the child process (bounded), as black-box process tests may. The
 * deterministic counterpart, crash points inside a head change, is
 * {@code tier.HeadSlotsCrashTest}.
 */
class KillRecoveryTest {
  private static final int THREADS = 2;

  @TempDir Path dir;

  /** Per key: {head sequence number, body sequence number} known to be stored. */
  private final Map<Integer, int[]> state = new HashMap<>();

  @Test
  void killedWriterLosesNoCommittedEntryAndShowsNoTornOne() throws Exception {
    int rounds = Integer.getInteger("store.killRounds", 4);
    for (int round = 0; round < rounds; round++) {
      long t0 = System.nanoTime();
      Map<Integer, String[]> inFlight = new HashMap<>();
      int done = runAndKill(round, 120 + 53 * (round % 5), inFlight);
      try {
        verifyAndCarryOver(inFlight);
      } catch (AssertionError err) {
        throw new AssertionError(err.getMessage() + "\nround " + round + ", in flight at the kill: "
            + describe(inFlight) + "\nchild warnings:\n" + childWarnings(), err);
      }
      System.out.printf("kill round %d: %d operations reported, %d in flight, %d ms (child: %s)%n", round, done,
          inFlight.size(), (System.nanoTime() - t0) / 1_000_000, childReady());
    }
  }

  /**
   * Runs the child until it has reported {@code opsBeforeKill} finished operations, kills it,
   * applies the finished ones to {@link #state} and puts the unfinished ones (per key: {seq, kind})
   * into {@code inFlight}. Returns the number of finished operations.
   */
  private int runAndKill(int round, int opsBeforeKill, Map<Integer, String[]> inFlight) throws Exception {
    List<String> cmd = Fixtures.childJvm();
    Path log = dir.resolve("child-" + round + ".log");
    cmd.add("-Xmx256m");
    cmd.add("-XX:TieredStopAtLevel=1"); // a short-lived child: start fast
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(KillTestWriter.class.getName());
    cmd.add(dir.toString());
    cmd.add(log.toString());
    cmd.add(Integer.toString(round * 1_000_000)); // sequence numbers never repeat across rounds
    cmd.add(Integer.toString(THREADS));
    Process child = new ProcessBuilder(cmd)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("child-stdout.txt").toFile()))
        .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("child-stderr.txt").toFile()))
        .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300); // generous: loaded CI machines
    int finished = 0;
    // Black-box process test: poll the child's log (bounded) until enough operations are reported.
    while (finished < opsBeforeKill && child.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(10);
      finished = Files.exists(log) ? countDone(Files.readAllLines(log, StandardCharsets.US_ASCII)) : 0;
    }
    boolean aliveAtKill = child.isAlive();
    child.destroyForcibly();
    assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child did not die");
    if (!aliveAtKill || finished < opsBeforeKill) {
      fail("child reported only " + finished + " operations (alive: " + aliveAtKill + "); stderr: "
          + Files.readString(dir.resolve("child-stderr.txt")));
    }
    Map<Integer, String[]> begun = new HashMap<>();
    int count = 0;
    for (String line : Files.readAllLines(log, StandardCharsets.US_ASCII)) {
      String[] p = line.split(" ");
      if (p.length != 4) {
        continue; // a line cut by the kill
      }
      int k = Integer.parseInt(p[1]);
      if (p[0].equals("BEGIN")) {
        begun.put(k, new String[] {p[2], p[3]});
      } else if (p[0].equals("DONE")) {
        String[] b = begun.remove(k);
        assertTrue(b != null && b[0].equals(p[2]), "log order for key " + k);
        apply(k, Integer.parseInt(p[2]), p[3]);
        count++;
      }
    }
    inFlight.putAll(begun);
    assertFalse(Files.exists(dir.resolve("clean-shutdown")), "the child never closed the store");
    return count;
  }

  /** The state of key {@code k} after operation {@code seq} of {@code kind} (W = write, R = replace). */
  private int[] after(int k, int seq, String kind) {
    if (kind.equals("W")) {
      return new int[] {seq, seq};
    }
    int[] before = state.get(k);
    assertTrue(before != null, "replace of key " + k + " reported without a stored entry");
    return new int[] {seq, before[1]};
  }

  private void apply(int k, int seq, String kind) {
    state.put(k, after(k, seq, kind));
  }

  /** Reopens (with recovery), checks every key, and takes the in-flight outcomes into the state. */
  private void verifyAndCarryOver(Map<Integer, String[]> inFlight) throws IOException {
    try (ChronicleTier tier = ChronicleTier.openWithoutSweeper(Fixtures.small(dir).build(),
        new TestClock(KillTestWriter.NOW))) {
      long liveChunks = 0;
      for (int k = 0; k < KillTestWriter.KEYS; k++) {
        Optional<StoredEntry> e = tier.lookup(KillTestWriter.key(k), KillTestWriter.NOW);
        int[] committed = state.get(k);
        String[] flying = inFlight.get(k);
        int[] flyingResult = flying == null || (flying[1].equals("R") && committed == null)
            ? null : after(k, Integer.parseInt(flying[0]), flying[1]);
        if (e.isEmpty()) {
          assertEquals(null, committed == null ? null : committed[0] + "/" + committed[1],
              "committed entry for key " + k + " lost");
          continue;
        }
        int[] seen = {KillTestWriter.headSeq(e.get()), KillTestWriter.bodySeq(e.get())};
        boolean allowed = same(seen, committed) || same(seen, flyingResult);
        assertTrue(allowed, "key " + k + " shows head/body " + seen[0] + "/" + seen[1] + ", committed "
            + (committed == null ? "none" : committed[0] + "/" + committed[1]) + ", in flight "
            + (flying == null ? "none" : flying[0] + " " + flying[1]));
        byte[] want = Fixtures.body(seen[1], KillTestWriter.size(seen[1]));
        assertArrayEquals(want, Fixtures.read(e.get()), "body of key " + k + " seq " + seen[1]);
        liveChunks += (want.length + Fixtures.CHUNK - 1) / Fixtures.CHUNK;
        state.put(k, seen);
      }
      assertEquals(liveChunks, tier.chunkCount(), "chunks of cut-off writes are reclaimed");
      assertEquals(0, tier.tierStats().corruptions(), "corruptions");
    }
  }

  private static boolean same(int[] a, int[] b) {
    return b != null && a[0] == b[0] && a[1] == b[1];
  }

  private static String describe(Map<Integer, String[]> inFlight) {
    StringBuilder sb = new StringBuilder();
    inFlight.forEach((k, v) -> sb.append(k).append('=').append(v[0]).append(' ').append(v[1]).append("; "));
    return sb.toString();
  }

  /** The child's last start-up line ("disk cache ... ready in N ms"), for the round summary. */
  private String childReady() throws IOException {
    Path out = dir.resolve("child-stdout.txt");
    String last = "";
    if (Files.exists(out)) {
      for (String l : Files.readAllLines(out, StandardCharsets.UTF_8)) {
        int at = l.indexOf("ready in ");
        if (at >= 0) {
          last = l.substring(at, l.indexOf(':', at) < 0 ? l.length() : l.indexOf(':', at));
        }
      }
    }
    return last;
  }

  /** The child's WARN and ERROR log lines (its log goes to stdout, kept in a file). */
  private String childWarnings() throws IOException {
    Path out = dir.resolve("child-stdout.txt");
    if (!Files.exists(out)) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    for (String l : Files.readAllLines(out, StandardCharsets.UTF_8)) {
      if (l.contains(" WARN ") || l.contains(" ERROR ")) {
        sb.append(l).append('\n');
      }
    }
    return sb.toString();
  }

  private static int countDone(List<String> lines) {
    int n = 0;
    for (String l : lines) {
      if (l.startsWith("DONE ")) {
        n++;
      }
    }
    return n;
  }
}
