package dev.cachalot.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cachalot.store.tier.ChronicleTier;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Black-box crash test: a child JVM writes entries in a loop and is killed with {@code kill -9}
 * (Process.destroyForcibly) in the middle of its writes; on reopen every reported commit must be
 * there intact, nothing half-written may be visible, and the cut-off write's chunks are reclaimed.
 * It waits on the child process (bounded), as black-box process tests may.
 *
 * <p>KNOWN BUG, so this test is tagged {@code known-bug} and left out of the default run (CI)
 * until it is fixed: Chronicle Map stores a persisted entry's checksum only when the entry's lock
 * is released, so a kill between an in-place rewrite of a primary's head record and that moment
 * makes recovery drop the whole record (the committed old version and its sibling variants). The
 * test catches it in a few percent of runs. Fix planned: two generation-numbered head slots per
 * primary (docs/cache-store.md, "Known crash window"). Run it with
 * {@code mvn test -pl cache-store -Dstore.excludedGroups=none}.
 */
@Tag("known-bug")
class KillRecoveryTest {
  @TempDir Path dir;

  @Test
  void killedWriterLosesNoCommittedEntryAndShowsNoTornOne() throws Exception {
    for (int round = 0; round < 2; round++) {
      Map<Integer, Integer> done = new HashMap<>();
      Map<Integer, Integer> inFlight = new HashMap<>();
      Map<Integer, Integer> previousDone = new HashMap<>(lastState);
      runAndKill(round, round == 0 ? 150 : 260, done, inFlight);
      // Merge this round's reports into the state carried over from earlier rounds.
      Map<Integer, Integer> expected = new HashMap<>(previousDone);
      expected.putAll(done);
      try {
        verify(expected, inFlight);
      } catch (AssertionError err) {
        throw new AssertionError(err.getMessage() + "\nround " + round + ", in flight at the kill: " + inFlight
            + "\nchild warnings:\n" + childWarnings(), err);
      }
      lastState.clear();
      lastState.putAll(expected);
      // An in-flight write may or may not have committed; re-read what is there to carry on.
      try (ChronicleTier tier = ChronicleTier.openWithoutSweeper(Fixtures.small(dir).build(), new TestClock(KillTestWriter.NOW))) {
        for (int k : inFlight.keySet()) {
          Optional<StoredEntry> e = tier.lookup(KillTestWriter.key(k), KillTestWriter.NOW);
          if (e.isPresent()) {
            String etag = e.get().head().firstValue("ETag");
            lastState.put(k, Integer.parseInt(etag.substring(1, etag.length() - 1)));
          }
        }
      }
    }
  }

  private final Map<Integer, Integer> lastState = new HashMap<>();

  private void runAndKill(int round, int commitsBeforeKill, Map<Integer, Integer> done,
      Map<Integer, Integer> inFlight) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle") || arg.startsWith("--sun-misc")
          || arg.startsWith("--enable-native-access")) {
        cmd.add(arg);
      }
    }
    Path log = dir.resolve("child-" + round + ".log");
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(KillTestWriter.class.getName());
    cmd.add(dir.toString());
    cmd.add(log.toString());
    cmd.add(Integer.toString(round * 100_000)); // sequence numbers never repeat across rounds
    Process child = new ProcessBuilder(cmd)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("child-stdout.txt").toFile()))
        .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("child-stderr.txt").toFile()))
        .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    int commits = 0;
    // Black-box process test: poll the child's log (bounded) until enough commits are reported.
    while (commits < commitsBeforeKill && child.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(20);
      commits = Files.exists(log) ? countDone(Files.readAllLines(log, StandardCharsets.US_ASCII)) : 0;
    }
    child.destroyForcibly();
    assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
    if (commits < commitsBeforeKill) {
      fail("child reported only " + commits + " commits; stderr: "
          + Files.readString(dir.resolve("child-stderr.txt")));
    }
    Map<Integer, Integer> begun = new HashMap<>();
    for (String line : Files.readAllLines(log, StandardCharsets.US_ASCII)) {
      String[] p = line.split(" ");
      if (p.length != 3) {
        continue; // a line cut by the kill
      }
      (p[0].equals("BEGIN") ? begun : done).put(Integer.parseInt(p[1]), Integer.parseInt(p[2]));
    }
    for (Map.Entry<Integer, Integer> b : begun.entrySet()) {
      Integer d = done.get(b.getKey());
      if (d == null || d < b.getValue()) {
        inFlight.put(b.getKey(), b.getValue());
      }
    }
    assertFalse(Files.exists(dir.resolve("clean-shutdown")), "the child never closed the store");
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

  private void verify(Map<Integer, Integer> expected, Map<Integer, Integer> inFlight) throws IOException {
    try (ChronicleTier tier = ChronicleTier.openWithoutSweeper(Fixtures.small(dir).build(), new TestClock(KillTestWriter.NOW))) {
      long liveChunks = 0;
      for (int k = 0; k < KillTestWriter.KEYS; k++) {
        Optional<StoredEntry> e = tier.lookup(KillTestWriter.key(k), KillTestWriter.NOW);
        Integer committed = expected.get(k);
        Integer flying = inFlight.get(k);
        if (e.isEmpty()) {
          assertEquals(null, committed, "committed entry for key " + k + " lost");
          continue;
        }
        String etag = e.get().head().firstValue("ETag");
        int seq = Integer.parseInt(etag.substring(1, etag.length() - 1));
        boolean allowed = (committed != null && seq == committed) || (flying != null && seq == flying);
        assertTrue(allowed, "key " + k + " shows seq " + seq + ", committed " + committed + ", in flight " + flying);
        byte[] want = Fixtures.body(seq, KillTestWriter.size(seq));
        assertArrayEquals(want, Fixtures.read(e.get()), "body of key " + k + " seq " + seq);
        liveChunks += (want.length + Fixtures.CHUNK - 1) / Fixtures.CHUNK;
      }
      assertEquals(liveChunks, tier.chunkCount(), "chunks of cut-off writes are reclaimed");
      assertEquals(0, tier.tierStats().corruptions());
    }
  }
}
