package dev.cachalot.store;

import static dev.cachalot.store.Fixtures.body;
import static dev.cachalot.store.Fixtures.head;
import static dev.cachalot.store.Fixtures.put;
import static dev.cachalot.store.Fixtures.read;
import static dev.cachalot.store.Fixtures.readRange;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Behaviour every tier and the tiered store must have (DESIGN.md habit 11). */
abstract class CacheStoreContract {
  private static final Duration HOUR = Duration.ofHours(1);

  @TempDir Path dir;
  protected TestClock clock;
  protected CacheStore store;

  /** Opens the store under test in {@code dir}. */
  protected abstract CacheStore open(Path dir, TestClock clock) throws IOException;

  @BeforeEach
  void setUp() throws IOException {
    clock = new TestClock();
    store = open(dir, clock);
  }

  @AfterEach
  void tearDown() {
    store.close();
  }

  private StoredEntry get(StoreKey k) {
    return store.lookup(k, clock.now()).orElseThrow(() -> new AssertionError("expected a hit for " + k));
  }

  @Test
  void emptyStoreMisses() {
    assertTrue(store.lookup(StoreKey.of("https://a.example/x"), clock.now()).isEmpty());
    assertEquals(List.of(), store.listVariants(StoreKey.of("https://a.example/x")));
  }

  @Test
  void committedEntryReturnsHeadAndBodyOfEverySize() {
    int[] sizes = {0, 1, 100, Fixtures.CHUNK - 1, Fixtures.CHUNK, Fixtures.CHUNK + 1, 3 * Fixtures.CHUNK + 5, 50_000};
    for (int size : sizes) {
      StoreKey k = StoreKey.of("https://a.example/size/" + size);
      byte[] b = body(size, size);
      EntryHead h = head(clock.now(), HOUR, "\"e" + size + "\"");
      CommitResult r = put(store, k, h, b, 1000, clock.now());
      assertEquals(WriteOutcome.COMMITTED, r.outcome(), "size " + size);
      assertArrayEquals(b, read(r.entry()), "committed entry body, size " + size);
      StoredEntry e = get(k);
      assertEquals(h, e.head());
      assertEquals(size, e.bodyLength());
      assertEquals(k, e.key());
      assertEquals(r.entry().entryId(), e.entryId());
      assertEquals(0, e.headVersion());
      CRC32C crc = new CRC32C();
      crc.update(b);
      assertEquals((int) crc.getValue(), e.bodyChecksum());
      assertArrayEquals(b, read(e), "body of size " + size);
      e.bodyBuffer().ifPresent(buf -> {
        byte[] copy = new byte[buf.remaining()];
        buf.get(copy);
        assertArrayEquals(b, copy, "body buffer of size " + size);
        assertTrue(buf.isReadOnly());
      });
    }
  }

  @Test
  void rangesAreReadExactly() throws IOException {
    StoreKey k = StoreKey.of("https://a.example/ranges");
    byte[] b = body(7, 5 * Fixtures.CHUNK + 321);
    put(store, k, head(clock.now(), HOUR, "\"r\""), b, 3000, clock.now());
    StoredEntry e = get(k);
    Random rnd = new Random(1);
    for (int i = 0; i < 60; i++) {
      int off = rnd.nextInt(b.length + 1);
      int len = rnd.nextInt(b.length - off + 1);
      byte[] want = java.util.Arrays.copyOfRange(b, off, off + len);
      assertArrayEquals(want, readRange(e, off, len), "transferTo " + off + "+" + len);
      try (var in = e.openRange(off, len)) {
        assertArrayEquals(want, in.readAllBytes(), "openRange " + off + "+" + len);
      }
    }
    assertThrows(IllegalArgumentException.class, () -> e.openRange(b.length - 1, 2));
    assertThrows(IllegalArgumentException.class, () -> e.openRange(-1, 1));
  }

  @Test
  void writeIsInvisibleUntilCommitAndOldEntryStaysVisible() {
    StoreKey k = StoreKey.of("https://a.example/commit");
    byte[] first = body(1, 9000);
    put(store, k, head(clock.now(), HOUR, "\"1\""), first, 4000, clock.now());
    byte[] second = body(2, 12000);
    try (EntryWriter w = store.beginWrite(k, head(clock.now(), HOUR, "\"2\""), -1, clock.now())) {
      assertTrue(w.append(ByteBuffer.wrap(second, 0, 8000)));
      assertArrayEquals(first, read(get(k)), "old body still served during the write");
      assertTrue(w.append(ByteBuffer.wrap(second, 8000, 4000)));
      assertEquals(12000, w.bytesWritten());
      assertEquals(WriteOutcome.COMMITTED, w.commit(clock.now()).outcome());
    }
    StoredEntry e = get(k);
    assertArrayEquals(second, read(e));
    assertEquals("\"2\"", e.head().firstValue("etag"));
  }

  @Test
  void abortedWriteStoresNothing() {
    StoreKey k = StoreKey.of("https://a.example/abort");
    byte[] first = body(3, 5000);
    put(store, k, head(clock.now(), HOUR, "\"1\""), first, 4000, clock.now());
    try (EntryWriter w = store.beginWrite(k, head(clock.now(), HOUR, "\"2\""), -1, clock.now())) {
      w.append(ByteBuffer.wrap(body(4, 20000)));
      w.abort();
      assertEquals(WriteOutcome.ABORTED, w.commit(clock.now()).outcome());
    }
    assertArrayEquals(first, read(get(k)));
    StoreKey k2 = StoreKey.of("https://a.example/abort2");
    try (EntryWriter w = store.beginWrite(k2, head(clock.now(), HOUR, "\"3\""), -1, clock.now())) {
      w.append(ByteBuffer.wrap(body(5, 20000)));
      // closed without commit = abort
    }
    assertTrue(store.lookup(k2, clock.now()).isEmpty());
  }

  @Test
  void appendDoesNotMoveTheCallersBuffer() {
    StoreKey k = StoreKey.of("https://a.example/position");
    ByteBuffer data = ByteBuffer.wrap(body(6, 3000));
    data.position(100);
    try (EntryWriter w = store.beginWrite(k, head(clock.now(), HOUR, "\"p\""), -1, clock.now())) {
      w.append(data);
      assertEquals(100, data.position());
      assertEquals(WriteOutcome.COMMITTED, w.commit(clock.now()).outcome());
    }
    assertEquals(2900, get(k).bodyLength());
  }

  @Test
  void newWriteGetsNewEntryId() {
    StoreKey k = StoreKey.of("https://a.example/ids");
    long a = put(store, k, head(clock.now(), HOUR, "\"a\""), body(1, 10), 10, clock.now()).entry().entryId();
    long b = put(store, k, head(clock.now(), HOUR, "\"b\""), body(2, 10), 10, clock.now()).entry().entryId();
    assertNotEquals(a, b);
    assertEquals(b, get(k).entryId());
  }

  @Test
  void replaceHeadIsCompareAndSwap() {
    StoreKey k = StoreKey.of("https://a.example/cas");
    byte[] b = body(8, 10000);
    put(store, k, head(clock.now(), HOUR, "\"1\""), b, 4096, clock.now());
    StoredEntry e = get(k);
    EntryHead h2 = head(clock.now().plusSeconds(10), Duration.ofHours(2), "\"1\"")
        .withFields(List.of(new HeaderField("ETag", "\"1\""), new HeaderField("X-Updated", "yes")));
    assertEquals(ReplaceOutcome.REPLACED, store.replaceHead(e, h2, clock.now()));
    StoredEntry e2 = get(k);
    assertEquals(h2, e2.head());
    assertEquals(1, e2.headVersion());
    assertEquals(e.entryId(), e2.entryId());
    assertArrayEquals(b, read(e2), "body kept by head replacement");
    // The old snapshot is stale now.
    assertEquals(ReplaceOutcome.CONFLICT, store.replaceHead(e, h2, clock.now()));
    assertEquals(ReplaceOutcome.CONFLICT, store.replaceHead(k, e.entryId() + 12345, 1, h2, clock.now()));
    assertEquals(ReplaceOutcome.NOT_FOUND,
        store.replaceHead(StoreKey.of("https://a.example/none"), 1, 0, h2, clock.now()));
    // A new body under the key makes the old identity a conflict.
    put(store, k, head(clock.now(), HOUR, "\"2\""), body(9, 100), 100, clock.now());
    assertEquals(ReplaceOutcome.CONFLICT, store.replaceHead(e2, h2, clock.now()));
  }

  @Test
  void variantsAreListedAndRemovedTogether() {
    StoreKey p = StoreKey.of("https://a.example/vary");
    StoreKey gz = p.withVariant("gzip".getBytes());
    StoreKey br = p.withVariant("br".getBytes());
    StoreKey other = StoreKey.of("https://a.example/other");
    put(store, p, head(clock.now(), HOUR, "\"p\""), body(1, 10), 10, clock.now());
    put(store, gz, head(clock.now(), HOUR, "\"gz\""), body(2, 20), 10, clock.now());
    put(store, br, head(clock.now(), HOUR, "\"br\""), body(3, 30), 10, clock.now());
    put(store, other, head(clock.now(), HOUR, "\"o\""), body(4, 40), 10, clock.now());
    assertEquals(Set.of(p, gz, br), new HashSet<>(store.listVariants(gz)));
    assertArrayEquals(body(2, 20), read(get(gz)));
    assertArrayEquals(body(3, 30), read(get(br)));
    assertTrue(store.remove(br));
    assertFalse(store.remove(br));
    assertEquals(Set.of(p, gz), new HashSet<>(store.listVariants(p)));
    assertEquals(2, store.removeAll(p));
    assertTrue(store.lookup(p, clock.now()).isEmpty());
    assertTrue(store.lookup(gz, clock.now()).isEmpty());
    assertEquals(List.of(), store.listVariants(p));
    assertArrayEquals(body(4, 40), read(get(other)), "other primaries untouched");
  }

  @Test
  void entryIsNotReturnedFromItsRetainUntil() {
    StoreKey k = StoreKey.of("https://a.example/retain");
    put(store, k, head(clock.now(), Duration.ofSeconds(30), "\"r\""), body(1, 100), 100, clock.now());
    clock.advance(Duration.ofSeconds(29));
    assertTrue(store.lookup(k, clock.now()).isPresent());
    clock.advance(Duration.ofSeconds(1));
    assertTrue(store.lookup(k, clock.now()).isEmpty());
    assertEquals(ReplaceOutcome.NOT_FOUND,
        store.replaceHead(k, 1, 0, head(clock.now(), HOUR, "\"r\""), clock.now()));
  }

  @Test
  void wrongLengthOrTooLargeBodyIsNotCommitted() {
    StoreKey k = StoreKey.of("https://a.example/len");
    try (EntryWriter w = store.beginWrite(k, head(clock.now(), HOUR, "\"l\""), 100, clock.now())) {
      w.append(ByteBuffer.wrap(body(1, 99)));
      assertEquals(WriteOutcome.TOO_LARGE, w.commit(clock.now()).outcome());
    }
    try (EntryWriter w = store.beginWrite(k, head(clock.now(), HOUR, "\"l\""), 100, clock.now())) {
      assertFalse(w.append(ByteBuffer.wrap(body(1, 101))));
      assertEquals(WriteOutcome.TOO_LARGE, w.commit(clock.now()).outcome());
    }
    long tooBig = maxObjectBytes() + 1;
    try (EntryWriter w = store.beginWrite(k, head(clock.now(), HOUR, "\"l\""), tooBig, clock.now())) {
      assertFalse(w.append(ByteBuffer.wrap(body(1, 10))));
      assertEquals(WriteOutcome.TOO_LARGE, w.commit(clock.now()).outcome());
    }
    try (EntryWriter w = store.beginWrite(k, head(clock.now(), HOUR, "\"l\""), -1, clock.now())) {
      boolean accepted = true;
      byte[] piece = new byte[64 * 1024];
      for (long n = 0; n <= maxObjectBytes() && accepted; n += piece.length) {
        accepted = w.append(ByteBuffer.wrap(piece));
      }
      assertFalse(accepted, "append refuses once past the maximum object size");
      assertEquals(WriteOutcome.TOO_LARGE, w.commit(clock.now()).outcome());
    }
    assertTrue(store.lookup(k, clock.now()).isEmpty());
  }

  /** The largest body the store under test accepts. */
  protected long maxObjectBytes() {
    return 4L << 20;
  }

  @Test
  void statsCountHitsMissesAndCommits() {
    StoreKey k = StoreKey.of("https://a.example/stats");
    store.lookup(k, clock.now());
    put(store, k, head(clock.now(), HOUR, "\"s\""), body(1, 10), 10, clock.now());
    store.lookup(k, clock.now());
    store.lookup(k, clock.now());
    StoreStats s = store.stats();
    assertEquals(2, s.hits());
    assertEquals(1, s.misses());
    assertEquals(1, s.commits());
  }

  @Test
  void closedStoreMissesWithoutThrowing() {
    StoreKey k = StoreKey.of("https://a.example/closed");
    put(store, k, head(clock.now(), HOUR, "\"c\""), body(1, 10), 10, clock.now());
    store.close();
    assertEquals(Optional.empty(), store.lookup(k, clock.now()));
    assertFalse(store.remove(k));
    try (EntryWriter w = store.beginWrite(k, head(clock.now(), HOUR, "\"c\""), -1, clock.now())) {
      w.append(ByteBuffer.wrap(new byte[10]));
      assertFalse(w.commit(clock.now()).committed());
    }
  }
}
