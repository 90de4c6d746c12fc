package dev.cachalot.store;

import static dev.cachalot.store.Fixtures.body;
import static dev.cachalot.store.Fixtures.head;
import static dev.cachalot.store.Fixtures.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import dev.cachalot.store.tier.CaffeineTier;
import dev.cachalot.store.tier.ChronicleTier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.core.Gen;

/**
 * Model-based property test: random put / abort / get / replace / remove / removeAll /
 * listVariants / reopen sequences against a plain map, for each tier and the tiered store.
 */
class StoreModelPropertyTest {
  private static final String[] PRIMARIES = {"https://a.example/1", "https://a.example/2", "https://b.example/3"};
  private static final String[] VARIANTS = {"", "gzip", "br"};

  @TempDir Path dir;
  private final TestClock clock = new TestClock();

  /** Opens (or reopens) the store under test. */
  private interface Opener {
    CacheStore open() throws IOException;
  }

  /** The model's view of one stored entry. */
  private record Model(EntryHead head, byte[] body, long entryId, int headVersion) {}

  /** Decoded random operation. */
  private record Op(int type, int primary, int variant, int size, int seed) {
    StoreKey key() {
      return StoreKey.of(PRIMARIES[primary], VARIANTS[variant]);
    }
  }

  private static Gen<Op> ops() {
    return integers().between(0, 9).zip(integers().between(0, PRIMARIES.length - 1),
        integers().between(0, VARIANTS.length - 1),
        (t, p, v) -> new int[] {t, p, v})
        .zip(integers().between(0, 4 * Fixtures.CHUNK + 17), integers().all(),
            (a, size, seed) -> new Op(a[0], a[1], a[2], size, seed));
  }

  @Test
  void memoryTierBehavesLikeAMap() {
    CaffeineTier tier = new CaffeineTier(64L << 20, 4L << 20, clock);
    check(() -> tier, false);
  }

  @Test
  void diskTierBehavesLikeAMap() {
    StoreConfig config = Fixtures.small(dir).build();
    check(() -> ChronicleTier.openWithoutSweeper(config, clock), true);
  }

  @Test
  void tieredStoreBehavesLikeAMap() {
    StoreConfig config = Fixtures.small(dir).build();
    check(() -> TieredCacheStore.open(config, clock), true);
  }

  private void check(Opener opener, boolean persistent) {
    CacheStore[] store = {open(opener)};
    try {
      qt().withExamples(60).withShrinkCycles(200).forAll(lists().of(ops()).ofSizeBetween(1, 40))
          .checkAssert(ops -> {
            for (String p : PRIMARIES) {
              store[0].removeAll(StoreKey.of(p));
            }
            Map<StoreKey, Model> model = new HashMap<>();
            for (Op op : ops) {
              store[0] = apply(store[0], op, model, persistent ? opener : null);
            }
            for (String p : PRIMARIES) {
              for (String v : VARIANTS) {
                verifyGet(store[0], StoreKey.of(p, v), model);
              }
            }
          });
    } finally {
      store[0].close();
    }
  }

  private static CacheStore open(Opener opener) {
    try {
      return opener.open();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private CacheStore apply(CacheStore store, Op op, Map<StoreKey, Model> model, Opener reopen) {
    StoreKey k = op.key();
    Model m = model.get(k);
    switch (op.type()) {
      case 0, 1 -> {
        byte[] b = body(op.seed(), op.size());
        EntryHead h = head(clock.now(), Duration.ofHours(1), "\"" + op.seed() + "\"");
        CommitResult r = Fixtures.put(store, k, h, b, 1 + (op.seed() & 0x1fff), clock.now());
        assertEquals(WriteOutcome.COMMITTED, r.outcome(), op.toString());
        model.put(k, new Model(h, b, r.entry().entryId(), 0));
      }
      case 2 -> {
        try (EntryWriter w = store.beginWrite(k, head(clock.now(), Duration.ofHours(1), "\"x\""), -1, clock.now())) {
          w.append(ByteBuffer.wrap(body(op.seed(), op.size())));
          w.abort();
        }
      }
      case 3 -> verifyGet(store, k, model);
      case 4 -> {
        EntryHead h = head(clock.now().plusSeconds(op.size()), Duration.ofHours(2), "\"r" + op.seed() + "\"");
        long id = m == null ? 1 : m.entryId();
        int version = m == null ? 0 : m.headVersion();
        ReplaceOutcome r = store.replaceHead(k, id, version, h, clock.now());
        assertEquals(m == null ? ReplaceOutcome.NOT_FOUND : ReplaceOutcome.REPLACED, r, op.toString());
        if (m != null) {
          model.put(k, new Model(h, m.body(), m.entryId(), version + 1));
        }
      }
      case 5 -> {
        EntryHead h = head(clock.now(), Duration.ofHours(2), "\"stale\"");
        long id = m == null ? 1 : m.entryId() + ((op.seed() & 1) == 0 ? 1 : 0);
        int version = m == null ? 0 : m.headVersion() + ((op.seed() & 1) == 0 ? 0 : -1);
        ReplaceOutcome r = store.replaceHead(k, id, version, h, clock.now());
        assertEquals(m == null ? ReplaceOutcome.NOT_FOUND : ReplaceOutcome.CONFLICT, r, op.toString());
      }
      case 6 -> assertEquals(model.remove(k) != null, store.remove(k), op.toString());
      case 7 -> {
        int expected = 0;
        for (String v : VARIANTS) {
          if (model.remove(StoreKey.of(PRIMARIES[op.primary()], v)) != null) {
            expected++;
          }
        }
        assertEquals(expected, store.removeAll(k), op.toString());
      }
      case 8 -> {
        Set<StoreKey> want = new HashSet<>();
        for (StoreKey mk : model.keySet()) {
          if (mk.samePrimary(k)) {
            want.add(mk);
          }
        }
        assertEquals(want, new HashSet<>(store.listVariants(k)), op.toString());
      }
      default -> {
        if (reopen != null && (op.seed() & 3) == 0) {
          store.close();
          return open(reopen);
        }
        verifyGet(store, k, model);
      }
    }
    return store;
  }

  private void verifyGet(CacheStore store, StoreKey k, Map<StoreKey, Model> model) {
    Model m = model.get(k);
    Optional<StoredEntry> e = store.lookup(k, clock.now());
    if (m == null) {
      assertTrue(e.isEmpty(), "no entry expected for " + k);
      return;
    }
    assertTrue(e.isPresent(), "entry expected for " + k);
    assertEquals(m.head(), e.get().head());
    assertEquals(m.entryId(), e.get().entryId());
    assertEquals(m.headVersion(), e.get().headVersion());
    assertArrayEquals(m.body(), read(e.get()));
    List<StoreKey> variants = store.listVariants(k);
    assertTrue(variants.contains(k), "listVariants contains " + k);
  }
}
