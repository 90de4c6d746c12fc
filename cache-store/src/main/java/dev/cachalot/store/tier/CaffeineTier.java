package dev.cachalot.store.tier;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.cachalot.store.CacheStore;
import dev.cachalot.store.CommitResult;
import dev.cachalot.store.EntryHead;
import dev.cachalot.store.EntryWriter;
import dev.cachalot.store.HeaderField;
import dev.cachalot.store.ReplaceOutcome;
import dev.cachalot.store.StoreConfig;
import dev.cachalot.store.StoreKey;
import dev.cachalot.store.StoreStats;
import dev.cachalot.store.StoreTier;
import dev.cachalot.store.StoredEntry;
import dev.cachalot.store.TierStats;
import dev.cachalot.store.WriteOutcome;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The memory tier: a Caffeine cache of entries whose bodies sit in off-heap buffers, or are
 * read-only views of the disk tier's mapped chunk file ({@link MappedBody}, see {@link #putMapped}).
 *
 * <p>Weighted by body bytes plus a head estimate and bounded by {@code cache.memory.max-bytes};
 * Caffeine's W-TinyLFU admission keeps one-hit wonders from evicting hot entries. Entries expire at
 * their retain-until instant, measured by a Caffeine {@link Ticker} on the program's one
 * {@link InstantSource}. Also usable alone as a memory-only {@link CacheStore}.
 *
 * <p>The ticker reads the source's milliseconds, not an {@link Instant}: Caffeine reads it on every
 * lookup, and the system clock's {@code instant()} is an object per call (a hit's garbage) where
 * {@code millis()} is none. Caffeine then drops an entry at the first millisecond tick at or after
 * its retain-until instant (never before it); a lookup compares retain-until with its own
 * {@code now} exactly, so a hit never depends on when Caffeine drops the entry.
 */
public final class CaffeineTier implements CacheStore {
  private static final Logger LOG = LoggerFactory.getLogger(CaffeineTier.class);
  /** Entry ids minted by this tier start here, far above any disk-tier id, so they never collide. */
  static final long MEMORY_ID_BASE = 1L << 50;

  private final Cache<StoreKey, BufferedEntry> cache;
  private final VariantIndex variants = new VariantIndex();
  private final long maxObjectBytes;
  private final AtomicLong ids = new AtomicLong(MEMORY_ID_BASE);
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder writes = new LongAdder();
  private final LongAdder declined = new LongAdder();
  private final LongAdder evictions = new LongAdder();
  private final LongAdder expirations = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private volatile boolean closed;

  /**
   * Creates the tier.
   *
   * @param maxBytes bound on the summed weights
   * @param maxObjectBytes largest body kept
   * @param clock the program's time source (drives expiry)
   */
  public CaffeineTier(long maxBytes, long maxObjectBytes, InstantSource clock) {
    this.maxObjectBytes = maxObjectBytes;
    Ticker ticker = () -> clock.millis() * 1_000_000L;
    this.cache = Caffeine.newBuilder()
        .maximumWeight(maxBytes)
        .weigher((StoreKey k, BufferedEntry e) -> weight(k, e))
        .expireAfter(new RetainUntilExpiry())
        .ticker(ticker)
        .executor(Runnable::run)
        .evictionListener(this::onEvicted)
        .removalListener(this::onRemoved)
        .build();
  }

  /** The memory tier for a configuration (memory bound and largest object from it). */
  public static CaffeineTier create(StoreConfig config, InstantSource clock) {
    long max = config.diskEnabled()
        ? config.memoryMaxObjectBytes()
        : Math.min(config.memoryMaxObjectBytes(), config.maxObjectBytes());
    return new CaffeineTier(config.memoryMaxBytes(), max, clock);
  }

  /** Largest body this tier keeps. */
  public long maxObjectBytes() {
    return maxObjectBytes;
  }

  @Override
  public Optional<StoredEntry> lookup(StoreKey key, Instant now) {
    return Optional.ofNullable(get(key, now));
  }

  /**
   * Like {@link #lookup}, returning the entry or null. An entry over a mapped body is returned with
   * a reference of its own on the body ({@link StoreTier#MEMORY_MAPPED}), which the caller must
   * release by closing it.
   */
  public BufferedEntry get(StoreKey key, Instant now) {
    BufferedEntry e = closed ? null : cache.getIfPresent(key);
    if (e == null || !e.head().retainUntil().isAfter(now) || (e = e.hit()) == null) {
      misses.increment();
      return null;
    }
    hits.increment();
    return e;
  }

  /** A fresh entry id for an entry only this tier holds. */
  public long newEntryId() {
    return ids.incrementAndGet();
  }

  /** The variants of {@code key}'s primary, as an unmodifiable snapshot. */
  @Override
  public List<StoreKey> listVariants(StoreKey key) {
    return VariantIndex.view(variants.snapshot(key));
  }

  /**
   * The variant set of {@code key}'s primary as an opaque value that changes identity whenever the
   * set changes (null when there is none); {@link #variantsOf} lists it.
   */
  public Object variantSet(StoreKey key) {
    return variants.snapshot(key);
  }

  /** The keys of a {@link #variantSet} (an unmodifiable list). */
  public List<StoreKey> variantsOf(Object variantSet) {
    return VariantIndex.view(variantSet);
  }

  /**
   * Visits every retained entry. An entry over a mapped body is visited with a reference of its
   * own that is released when the visitor returns (its body may be read only until then).
   */
  @Override
  public boolean forEachEntry(Instant now, Predicate<? super StoredEntry> visitor) {
    try {
      for (BufferedEntry owner : cache.asMap().values()) {
        if (closed) {
          return true;
        }
        if (!owner.head().retainUntil().isAfter(now)) {
          continue;
        }
        BufferedEntry e = owner.hit();
        if (e == null) {
          continue;
        }
        try {
          if (!visitor.test(e)) {
            return false;
          }
        } finally {
          if (e != owner) {
            e.close();
          }
        }
      }
    } catch (RuntimeException ex) {
      failures.increment();
      LOG.warn("memory tier walk failed", ex);
    }
    return true;
  }

  @Override
  public EntryWriter beginWrite(StoreKey key, EntryHead head, long expectedLength, Instant now) {
    return new MemoryWriter(key, head, expectedLength);
  }

  /**
   * Puts a complete entry (a commit, or a promotion from disk) under its key, replacing any entry
   * there. Returns false when the body is larger than this tier keeps.
   */
  public boolean put(StoreKey key, EntryHead head, long entryId, int headVersion, int bodyCrc, ByteBuffer body) {
    if (closed || body.limit() > maxObjectBytes) {
      declined.increment();
      return false;
    }
    return insert(key, new BufferedEntry(key, head, entryId, headVersion, bodyCrc, StoreTier.MEMORY, body));
  }

  /**
   * Puts a complete entry whose body is a view of the disk tier's mapped chunk, replacing any entry
   * under the key. The entry takes over the caller's reference on {@code body} (from
   * {@link ChronicleTier#mappedBody}); it is released when the entry leaves this tier for any
   * reason, or at once when it is not put (returns false: too large, closed, or a failure).
   * Weighed like a copy of the body: {@code cache.memory.max-bytes} bounds the hot set the memory
   * tier keeps mapped (and keeps from being freed on disk), whichever way it is held.
   */
  public boolean putMapped(StoreKey key, EntryHead head, long entryId, int headVersion, int bodyCrc,
      MappedBody body) {
    if (closed || body.length() > maxObjectBytes) {
      declined.increment();
      body.release();
      return false;
    }
    return insert(key, BufferedEntry.mappedOwner(key, head, entryId, headVersion, bodyCrc, body));
  }

  private boolean insert(StoreKey key, BufferedEntry e) {
    boolean[] in = {false};
    try {
      cache.asMap().compute(key, (k, old) -> {
        variants.add(k);
        in[0] = true;
        return e;
      });
      writes.increment();
      return true;
    } catch (RuntimeException ex) {
      failures.increment();
      LOG.warn("memory tier put failed for {}", key, ex);
      if (!in[0]) {
        release(e);
      }
      return false;
    }
  }

  /**
   * Puts a copy of an entry that is already held in a buffer (promotion); false if too large, or if
   * its body is a view held only for one lookup (a disk lease or a memory view's reference: keeping
   * it would outlive that hold; such bodies go in through {@link #putMapped}).
   */
  public boolean put(BufferedEntry entry) {
    if (entry.leased()) {
      declined.increment();
      return false;
    }
    if (entry.mapped() != null) {
      return entry.mapped().retain() && putMapped(entry.key(), entry.head(), entry.entryId(),
          entry.headVersion(), entry.bodyChecksum(), entry.mapped());
    }
    return put(entry.key(), entry.head(), entry.entryId(), entry.headVersion(), entry.bodyChecksum(),
        entry.sharedBody());
  }

  @Override
  public ReplaceOutcome replaceHead(
      StoreKey key, long expectedEntryId, int expectedHeadVersion, EntryHead newHead, Instant now) {
    ReplaceOutcome[] out = {ReplaceOutcome.NOT_FOUND};
    try {
      cache.asMap().computeIfPresent(key, (k, e) -> {
        if (!e.head().retainUntil().isAfter(now)) {
          return e;
        }
        if (e.entryId() != expectedEntryId || e.headVersion() != expectedHeadVersion) {
          out[0] = ReplaceOutcome.CONFLICT;
          return e;
        }
        BufferedEntry replaced = e.withHead(newHead, expectedHeadVersion + 1);
        if (replaced == null) {
          forgetVariant(k); // its mapped body is already being dropped
          return null;
        }
        out[0] = ReplaceOutcome.REPLACED;
        return replaced;
      });
      return out[0];
    } catch (RuntimeException ex) {
      failures.increment();
      LOG.warn("memory tier replace failed for {}", key, ex);
      return ReplaceOutcome.FAILED;
    }
  }

  /**
   * Mirrors a head replacement done in another tier: if the entry here has the same id and an
   * older head version, its head becomes {@code newHead} at {@code newVersion}; if it has another
   * id it is left alone; on any doubt the copy is dropped.
   */
  public void mirrorHead(StoreKey key, long entryId, int newVersion, EntryHead newHead) {
    try {
      cache.asMap().computeIfPresent(key, (k, e) -> {
        if (e.entryId() != entryId) {
          return e;
        }
        if (e.headVersion() >= newVersion) {
          return e;
        }
        BufferedEntry replaced = e.withHead(newHead, newVersion);
        if (replaced == null) {
          forgetVariant(k);
        }
        return replaced;
      });
    } catch (RuntimeException ex) {
      failures.increment();
      remove(key);
    }
  }

  @Override
  public boolean remove(StoreKey key) {
    boolean[] removed = {false};
    try {
      cache.asMap().computeIfPresent(key, (k, e) -> {
        forgetVariant(k);
        removed[0] = true;
        return null;
      });
    } catch (RuntimeException ex) {
      failures.increment();
      LOG.warn("memory tier remove failed for {}", key, ex);
    }
    return removed[0];
  }

  @Override
  public int removeAll(StoreKey key) {
    int n = 0;
    for (StoreKey k : variants.variants(key)) {
      if (remove(k)) {
        n++;
      }
    }
    return n;
  }

  /** Counters and sizes of this tier. */
  public TierStats tierStats() {
    long bytes = cache.policy().eviction().map(ev -> ev.weightedSize().orElse(0)).orElse(0L);
    return new TierStats(cache.estimatedSize(), bytes, hits.sum(), misses.sum(), writes.sum(),
        declined.sum(), evictions.sum(), expirations.sum(), 0, failures.sum(), 0);
  }

  @Override
  public StoreStats stats() {
    TierStats t = tierStats();
    return new StoreStats(t, TierStats.EMPTY, t.hits(), t.misses(), 0, t.writes(), 0, declined.sum());
  }

  /** Runs pending expiry and eviction work now (tests and the sweeper). */
  public void cleanUp() {
    cache.cleanUp();
  }

  @Override
  public void close() {
    closed = true;
    cache.invalidateAll();
    variants.clear();
  }

  private void onEvicted(StoreKey key, BufferedEntry value, RemovalCause cause) {
    if (key == null) {
      return;
    }
    forgetVariant(key);
    if (cause == RemovalCause.EXPIRED) {
      expirations.increment();
    } else {
      evictions.increment();
    }
  }

  /**
   * Releases the reference an entry over a mapped body holds, once it left the cache for any
   * reason (replaced, removed, evicted, expired, cleared at close). Caffeine reports a replacement
   * only when the value changed; the identity check guards against a report for an entry that is
   * still mapped.
   */
  private void onRemoved(StoreKey key, BufferedEntry value, RemovalCause cause) {
    if (value == null || value.mapped() == null) {
      return;
    }
    if (cause == RemovalCause.REPLACED && key != null && cache.asMap().get(key) == value) {
      return;
    }
    release(value);
  }

  private static void release(BufferedEntry owner) {
    if (owner.mapped() != null) {
      owner.mapped().release();
    }
  }

  private void forgetVariant(StoreKey key) {
    variants.remove(key);
  }

  /** Weight of an entry: body bytes plus an estimate of key, head and object overhead. */
  static int weight(StoreKey key, BufferedEntry e) {
    long w = e.bodyLength() + 256 + key.primaryLength() + key.variantLength();
    for (HeaderField f : e.head().fields()) {
      w += 48 + 2L * (f.name().length() + f.value().length());
    }
    return (int) Math.min(Integer.MAX_VALUE, w);
  }

  /**
   * Expires each entry at its retain-until instant: the nanoseconds from the ticker's reading
   * ({@code currentTime}, epoch nanoseconds) to it, so the entry expires when the ticker reaches it.
   */
  private static final class RetainUntilExpiry implements Expiry<StoreKey, BufferedEntry> {
    private static long untilRetainEnd(BufferedEntry e, long currentTime) {
      Instant end = e.head().retainUntil();
      long endSecond = end.getEpochSecond();
      if (endSecond >= Long.MAX_VALUE / 1_000_000_000L) {
        return Long.MAX_VALUE; // beyond what epoch nanoseconds can say: never
      }
      if (endSecond <= Long.MIN_VALUE / 1_000_000_000L) {
        return 0; // long past
      }
      long endNanos = endSecond * 1_000_000_000L + end.getNano();
      if (endNanos <= currentTime) {
        return 0;
      }
      long d = endNanos - currentTime;
      return d < 0 ? Long.MAX_VALUE : d; // overflowed: as good as never
    }

    @Override
    public long expireAfterCreate(StoreKey key, BufferedEntry value, long currentTime) {
      return untilRetainEnd(value, currentTime);
    }

    @Override
    public long expireAfterUpdate(StoreKey key, BufferedEntry value, long currentTime, long currentDuration) {
      return untilRetainEnd(value, currentTime);
    }

    @Override
    public long expireAfterRead(StoreKey key, BufferedEntry value, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }

  /** A write into the memory tier only (memory-only stores). */
  private final class MemoryWriter implements EntryWriter {
    private final StoreKey key;
    private final EntryHead head;
    private final long expectedLength;
    private final BodyAccumulator body;
    private WriteOutcome ended;

    MemoryWriter(StoreKey key, EntryHead head, long expectedLength) {
      this.key = key;
      this.head = head;
      this.expectedLength = expectedLength;
      this.body = new BodyAccumulator(maxObjectBytes, expectedLength);
      if (body.overflowed()) {
        ended = WriteOutcome.TOO_LARGE;
        declined.increment();
      }
    }

    @Override
    public boolean append(ByteBuffer data) {
      if (ended != null) {
        return false;
      }
      if (!body.append(data) || (expectedLength >= 0 && body.length() > expectedLength)) {
        ended = WriteOutcome.TOO_LARGE;
        declined.increment();
        return false;
      }
      return true;
    }

    @Override
    public long bytesWritten() {
      return body.length();
    }

    @Override
    public CommitResult commit(Instant now) {
      if (ended != null) {
        return CommitResult.notStored(ended == WriteOutcome.COMMITTED ? WriteOutcome.ABORTED : ended);
      }
      if (expectedLength >= 0 && body.length() != expectedLength) {
        ended = WriteOutcome.TOO_LARGE;
        declined.increment();
        return CommitResult.notStored(ended);
      }
      ended = WriteOutcome.COMMITTED;
      ByteBuffer bytes = body.finish();
      long id = newEntryId();
      if (!put(key, head, id, 0, body.crc(), bytes)) {
        return CommitResult.notStored(closed ? WriteOutcome.FAILED : WriteOutcome.NO_SPACE);
      }
      return new CommitResult(WriteOutcome.COMMITTED,
          new BufferedEntry(key, head, id, 0, body.crc(), StoreTier.MEMORY, bytes));
    }

    @Override
    public void abort() {
      if (ended == null) {
        ended = WriteOutcome.ABORTED;
      }
    }

    @Override
    public void close() {
      abort();
    }
  }
}
