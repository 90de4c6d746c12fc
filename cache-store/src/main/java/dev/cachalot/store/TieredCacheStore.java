package dev.cachalot.store;

import dev.cachalot.store.tier.BodyAccumulator;
import dev.cachalot.store.tier.BufferedEntry;
import dev.cachalot.store.tier.CaffeineTier;
import dev.cachalot.store.tier.ChronicleTier;
import dev.cachalot.store.tier.MappedBody;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store the proxy uses: the Caffeine memory tier over the Chronicle Map disk tier.
 *
 * <p>Writes go through to disk (the persistent truth) and, when the body is small enough, to
 * memory (Caffeine's admission decides whether it stays). Lookups try memory, then disk. A disk hit
 * is copied into memory only once its aged hit count reaches {@code cache.disk.promote-after-hits};
 * the count is reset on promotion, so an entry Caffeine evicts again must earn its way back (no
 * ping-pong). The memory entry carries the disk entry's id and head version, so compare-and-swap
 * works the same whichever tier served the lookup.
 *
 * <p>One copy of each body ({@code cache.memory.bodies: mapped}, the default): when the disk tier
 * holds a body as one chunk in its mapped file, the memory entry is a view of that chunk
 * ({@link MappedBody}, holding a disk lease) instead of an off-heap copy, so the body is in RAM once
 * (the page cache). Hits on such an entry are {@link StoreTier#MEMORY_MAPPED} and must be closed.
 * Other bodies (several chunks, memory-only stores, a failed disk commit) are copied as before.
 */
public final class TieredCacheStore implements CacheStore {
  private static final Logger LOG = LoggerFactory.getLogger(TieredCacheStore.class);

  private final StoreConfig config;
  private final CaffeineTier memory;
  private final ChronicleTier disk;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder promotions = new LongAdder();
  private final LongAdder commits = new LongAdder();
  private final LongAdder memoryOnlyCommits = new LongAdder();
  private final LongAdder declinedWrites = new LongAdder();
  /** Primaries whose disk variants are known to be in memory too (skips listing the disk on a memory hit). */
  private final DiskCoverage coverage = new DiskCoverage();

  /** Wires two tiers ({@code disk} may be null for a memory-only store). */
  public TieredCacheStore(StoreConfig config, CaffeineTier memory, ChronicleTier disk) {
    this.config = config;
    this.memory = memory;
    this.disk = disk;
  }

  /**
   * Opens the store for a configuration: the memory tier, and the disk tier in
   * {@code config.directory()} unless disabled (recovering it after a crash, with its background
   * sweeper on {@code clock}).
   *
   * @throws IOException when the cache directory cannot be created or is locked by another process
   */
  public static TieredCacheStore open(StoreConfig config, InstantSource clock) throws IOException {
    CaffeineTier memory = CaffeineTier.create(config, clock);
    ChronicleTier disk = config.diskEnabled() ? ChronicleTier.open(config, clock) : null;
    return new TieredCacheStore(config, memory, disk);
  }

  /** The memory tier. */
  public CaffeineTier memoryTier() {
    return memory;
  }

  /**
   * The store the proxy's I/O-thread fast path may read: the whole store when
   * {@code cache.disk.answer-on-io-thread} is on and the disk tier is enabled (a disk hit is then a
   * lookup in the decoded-head cache plus a mapped view, no copy), else the memory tier alone.
   */
  public CacheStore ioThreadStore() {
    return disk != null && config.diskAnswerOnIoThread() ? ioView : memory;
  }

  /**
   * The whole store as read by the I/O thread: the same lookups, except that a streamed disk body
   * (larger than {@code cache.disk.inline-read-max-bytes}) is never promoted from there, since
   * promoting it reads the whole body; the next lookup on a worker promotes it.
   */
  private final CacheStore ioView = new CacheStore() {
    @Override
    public Optional<StoredEntry> lookup(StoreKey key, Instant now) {
      return Optional.ofNullable(TieredCacheStore.this.get(key, now, false));
    }

    @Override
    public StoredEntry get(StoreKey key, Instant now) {
      return TieredCacheStore.this.get(key, now, false);
    }

    @Override
    public List<StoreKey> listVariants(StoreKey key) {
      return TieredCacheStore.this.listVariants(key);
    }

    @Override
    public EntryWriter beginWrite(StoreKey key, EntryHead head, long expectedLength, Instant now) {
      return TieredCacheStore.this.beginWrite(key, head, expectedLength, now);
    }

    @Override
    public ReplaceOutcome replaceHead(StoreKey key, long expectedEntryId, int expectedHeadVersion,
        EntryHead newHead, Instant now) {
      return TieredCacheStore.this.replaceHead(key, expectedEntryId, expectedHeadVersion, newHead, now);
    }

    @Override
    public boolean remove(StoreKey key) {
      return TieredCacheStore.this.remove(key);
    }

    @Override
    public int removeAll(StoreKey key) {
      return TieredCacheStore.this.removeAll(key);
    }

    @Override
    public boolean forEachEntry(Instant now, Predicate<? super StoredEntry> visitor) {
      return TieredCacheStore.this.forEachEntry(now, visitor);
    }

    @Override
    public StoreStats stats() {
      return TieredCacheStore.this.stats();
    }

    @Override
    public void close() {
      // The view does not own the store.
    }
  };

  /** The disk tier, if enabled. */
  public Optional<ChronicleTier> diskTier() {
    return Optional.ofNullable(disk);
  }

  @Override
  public Optional<StoredEntry> lookup(StoreKey key, Instant now) {
    return Optional.ofNullable(get(key, now, true));
  }

  @Override
  public StoredEntry get(StoreKey key, Instant now) {
    return get(key, now, true);
  }

  private StoredEntry get(StoreKey key, Instant now, boolean mayReadToPromote) {
    BufferedEntry m = memory.get(key, now);
    if (m != null) {
      hits.increment();
      return m;
    }
    StoredEntry d = disk == null ? null : disk.get(key, now);
    if (d == null) {
      misses.increment();
      return null;
    }
    hits.increment();
    if (d.bodyLength() <= memory.maxObjectBytes() && disk.hitCount(key) >= config.promoteAfterHits()
        && (mayReadToPromote || d.bodyBuffer().isPresent())) {
      promote(d);
    }
    return d;
  }

  /**
   * Puts a disk entry into memory, verifying nothing new (the disk read verified it): as a shared
   * view of its mapped chunk when that is the configured and possible form, else as an off-heap copy.
   */
  private void promote(StoredEntry d) {
    try {
      MappedBody mapped = mapped() ? disk.mappedBody(d) : null;
      if (mapped != null) {
        if (memory.putMapped(d.key(), d.head(), d.entryId(), d.headVersion(), d.bodyChecksum(), mapped)) {
          promotions.increment();
        }
        disk.resetHits(d.key());
        return;
      }
      ByteBuffer body = ByteBuffer.allocateDirect((int) d.bodyLength());
      Optional<ByteBuffer> inline = d.bodyBuffer();
      if (inline.isPresent()) {
        body.put(inline.get());
      } else {
        try (InputStream in = d.openBody()) {
          byte[] buf = new byte[64 * 1024];
          int n;
          while ((n = in.read(buf)) > 0) {
            body.put(buf, 0, n);
          }
        }
      }
      body.flip();
      if (memory.put(d.key(), d.head(), d.entryId(), d.headVersion(), d.bodyChecksum(), body)) {
        promotions.increment();
      }
      disk.resetHits(d.key());
    } catch (IOException | RuntimeException e) {
      LOG.debug("promotion of {} skipped: {}", d.key(), e.toString());
    }
  }

  /** True when memory entries of single-chunk disk bodies are views of the mapped file. */
  private boolean mapped() {
    return disk != null && config.memoryBodies() == MemoryBodies.MAPPED;
  }

  @Override
  public List<StoreKey> listVariants(StoreKey key) {
    if (disk == null) {
      return memory.listVariants(key);
    }
    StoreKey primary = key.primaryKey();
    Object memorySet = memory.variantSet(primary);
    List<StoreKey> m = memory.variantsOf(memorySet);
    if (memorySet != null && coverage.covered(primary, memorySet)) {
      return m; // the disk's variants were all in memory, and neither has changed since
    }
    long stamp = coverage.stamp(primary); // before listing the disk, so a commit during it counts
    List<StoreKey> d = disk.listVariants(primary);
    if (m.isEmpty() || d.isEmpty()) {
      if (!m.isEmpty()) {
        coverage.record(primary, memorySet, stamp);
      }
      return m.isEmpty() ? d : m; // the common cases: no set to build
    }
    if (d.size() <= 8 && m.containsAll(d)) {
      coverage.record(primary, memorySet, stamp);
      return m; // the usual hit: the disk's few variants are all in memory too
    }
    Set<StoreKey> all = new LinkedHashSet<>(m);
    all.addAll(d);
    return new ArrayList<>(all);
  }

  /** Memory tier first, then the disk tier (an entry in both is visited twice). */
  @Override
  public boolean forEachEntry(Instant now, Predicate<? super StoredEntry> visitor) {
    return memory.forEachEntry(now, visitor) && (disk == null || disk.forEachEntry(now, visitor));
  }

  @Override
  public EntryWriter beginWrite(StoreKey key, EntryHead head, long expectedLength, Instant now) {
    if (expectedLength > config.maxObjectBytes()) {
      declinedWrites.increment();
      return new DeclinedWriter(WriteOutcome.TOO_LARGE);
    }
    if (disk == null) {
      return new Counting(key, memory.beginWrite(key, head, expectedLength, now));
    }
    return new Counting(key, new TieredWriter(key, head, expectedLength, disk.beginWrite(key, head, expectedLength, now)));
  }

  @Override
  public ReplaceOutcome replaceHead(
      StoreKey key, long expectedEntryId, int expectedHeadVersion, EntryHead newHead, Instant now) {
    if (disk == null) {
      return memory.replaceHead(key, expectedEntryId, expectedHeadVersion, newHead, now);
    }
    ReplaceOutcome r = disk.replaceHead(key, expectedEntryId, expectedHeadVersion, newHead, now);
    switch (r) {
      case REPLACED:
        memory.mirrorHead(key, expectedEntryId, expectedHeadVersion + 1, newHead);
        return r;
      case NOT_FOUND:
        // The entry may live in memory only (its disk write failed or was evicted from disk).
        return memory.replaceHead(key, expectedEntryId, expectedHeadVersion, newHead, now);
      case FAILED:
        memory.remove(key);
        return r;
      default:
        return r;
    }
  }

  @Override
  public boolean remove(StoreKey key) {
    boolean m = memory.remove(key);
    boolean d = disk != null && disk.remove(key);
    return m || d;
  }

  @Override
  public int removeAll(StoreKey key) {
    int n = 0;
    for (StoreKey k : listVariants(key)) {
      if (remove(k)) {
        n++;
      }
    }
    // Anything listed by neither tier (e.g. an undecodable record) goes too.
    memory.removeAll(key);
    if (disk != null) {
      disk.removeAll(key);
    }
    return n;
  }

  @Override
  public StoreStats stats() {
    return new StoreStats(memory.tierStats(), disk == null ? TierStats.EMPTY : disk.tierStats(),
        hits.sum(), misses.sum(), promotions.sum(), commits.sum(), memoryOnlyCommits.sum(), declinedWrites.sum());
  }

  @Override
  public void close() {
    memory.close();
    if (disk != null) {
      disk.close();
    }
  }

  /** Counts commits and declined writes of the writers handed out. */
  private final class Counting implements EntryWriter {
    private final StoreKey key;
    private final EntryWriter inner;

    Counting(StoreKey key, EntryWriter inner) {
      this.key = key;
      this.inner = inner;
    }

    @Override
    public boolean append(ByteBuffer data) {
      return inner.append(data);
    }

    @Override
    public long bytesWritten() {
      return inner.bytesWritten();
    }

    @Override
    public CommitResult commit(Instant now) {
      CommitResult r = inner.commit(now);
      if (disk != null) {
        coverage.diskChanged(key); // after the write is visible: see DiskCoverage
      }
      (r.committed() ? commits : declinedWrites).increment();
      if (r.outcome() == WriteOutcome.COMMITTED_MEMORY_ONLY) {
        memoryOnlyCommits.increment();
      }
      return r;
    }

    @Override
    public void abort() {
      inner.abort();
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  /** A write declined before it started. */
  private static final class DeclinedWriter implements EntryWriter {
    private final WriteOutcome outcome;
    private long length;

    DeclinedWriter(WriteOutcome outcome) {
      this.outcome = outcome;
    }

    @Override
    public boolean append(ByteBuffer data) {
      length += data.remaining();
      return false;
    }

    @Override
    public long bytesWritten() {
      return length;
    }

    @Override
    public CommitResult commit(Instant now) {
      return CommitResult.notStored(outcome);
    }

    @Override
    public void abort() {}

    @Override
    public void close() {}
  }

  /** Writes to disk and keeps an off-heap copy for memory while the body is small enough. */
  private final class TieredWriter implements EntryWriter {
    private final StoreKey key;
    private final EntryHead head;
    private final long expectedLength;
    private final EntryWriter diskWriter;
    private final BodyAccumulator copy;
    private boolean done;
    private boolean tooLarge;

    TieredWriter(StoreKey key, EntryHead head, long expectedLength, EntryWriter diskWriter) {
      this.key = key;
      this.head = head;
      this.expectedLength = expectedLength;
      this.diskWriter = diskWriter;
      // With mapped bodies a single-chunk body's copy is needed only until the disk commit: keep it
      // on the heap (young garbage) rather than in native memory freed only after a collection.
      this.copy = new BodyAccumulator(memory.maxObjectBytes(), expectedLength, mapped() ? config.chunkBytes() : 0);
    }

    @Override
    public boolean append(ByteBuffer data) {
      if (done || tooLarge) {
        return false;
      }
      long after = copy.length() + data.remaining();
      if (after > config.maxObjectBytes() || (expectedLength >= 0 && after > expectedLength)) {
        tooLarge = true;
        diskWriter.abort();
        return false;
      }
      boolean d = diskWriter.append(data);
      boolean m = !copy.overflowed() && copy.append(data);
      return d || m;
    }

    @Override
    public long bytesWritten() {
      return copy.length();
    }

    @Override
    public CommitResult commit(Instant now) {
      if (done) {
        return CommitResult.notStored(WriteOutcome.ABORTED);
      }
      done = true;
      if (tooLarge) {
        return CommitResult.notStored(WriteOutcome.TOO_LARGE);
      }
      CommitResult dr = diskWriter.commit(now);
      boolean lengthOk = expectedLength < 0 || copy.length() == expectedLength;
      if (copy.overflowed() || !lengthOk) {
        memory.remove(key); // the memory copy (if any) is now older than the stored entry
        return dr;
      }
      if (!dr.committed()) {
        // The previous disk entry must not come back after a restart or a memory eviction.
        disk.remove(key);
      }
      long id = dr.committed() ? dr.entry().entryId() : memory.newEntryId();
      MappedBody mapped = dr.committed() && mapped() ? disk.committedBody(dr.entry()) : null;
      if (mapped != null) {
        // One copy: memory views the committed chunk. The heap copy answers this commit's caller
        // (e.g. collapsed followers) and is garbage once they are done: it needs no close.
        ByteBuffer own = copy.finish();
        if (memory.putMapped(key, head, id, 0, copy.crc(), mapped)) {
          return new CommitResult(WriteOutcome.COMMITTED,
              new BufferedEntry(key, head, id, 0, copy.crc(), StoreTier.MEMORY, own));
        }
        memory.remove(key);
        return dr;
      }
      ByteBuffer body = copy.finishDirect();
      if (memory.put(key, head, id, 0, copy.crc(), body)) {
        // Honest about durability: without the disk commit the entry lives in memory only.
        WriteOutcome outcome = dr.committed() ? WriteOutcome.COMMITTED : WriteOutcome.COMMITTED_MEMORY_ONLY;
        if (outcome == WriteOutcome.COMMITTED_MEMORY_ONLY) {
          LOG.warn("{} kept in memory only: the disk tier did not commit it ({})", key, dr.outcome());
        }
        return new CommitResult(outcome, new BufferedEntry(key, head, id, 0, copy.crc(), StoreTier.MEMORY, body));
      }
      memory.remove(key);
      return dr;
    }

    @Override
    public void abort() {
      if (!done) {
        done = true;
        diskWriter.abort();
      }
    }

    @Override
    public void close() {
      abort();
    }
  }
}
