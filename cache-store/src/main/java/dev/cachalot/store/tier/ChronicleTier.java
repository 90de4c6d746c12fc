package dev.cachalot.store.tier;

import dev.cachalot.store.CacheStore;
import dev.cachalot.store.ChunkKeys;
import dev.cachalot.store.CommitResult;
import dev.cachalot.store.EntryCodec;
import dev.cachalot.store.EntryCodec.Group;
import dev.cachalot.store.EntryCodec.Variant;
import dev.cachalot.store.EntryHead;
import dev.cachalot.store.EntryWriter;
import dev.cachalot.store.ReplaceOutcome;
import dev.cachalot.store.StoreConfig;
import dev.cachalot.store.StoreKey;
import dev.cachalot.store.StoreStats;
import dev.cachalot.store.StoreTier;
import dev.cachalot.store.StoredEntry;
import dev.cachalot.store.TierStats;
import dev.cachalot.store.WriteOutcome;
import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;
import java.util.zip.CRC32C;
import net.openhft.chronicle.hash.ChronicleHashCorruption;
import net.openhft.chronicle.hash.Data;
import net.openhft.chronicle.hash.impl.VanillaChronicleHash;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;
import net.openhft.chronicle.map.MapSegmentContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The disk tier: two persisted Chronicle Map files under the cache directory.
 *
 * <ul>
 *   <li>{@code heads.cm3}: two slots per primary-key hash ({@link HeadSlots}) -> generation-numbered
 *       {@link EntryCodec} record of all variants under that primary (heads, body length, CRC32C,
 *       entry id, chunk size). A committed record is never rewritten in place.
 *   <li>{@code chunks.cm3}: chunk key ({@link ChunkKeys}: entry id, chunk index) -> body chunk
 *       bytes followed by the chunk's CRC32C.
 * </ul>
 *
 * <p>Commit protocol: chunks first, the head last; an entry is visible only once its head is in
 * {@code heads.cm3}. A write cut off by a crash leaves only chunks no head refers to; start-up
 * reclaims them. Every chunk is verified (length and CRC32C) whenever it is read, and small bodies
 * are read and verified at lookup, so a corrupt body is a dropped, counted miss. Chronicle Map never
 * evicts and throws when full, so this class owns eviction (sampled LFU/LRU over {@link DiskIndex},
 * bounded by bytes and entries) and turns every Chronicle failure into a counted miss or declined
 * write. A {@code clean-shutdown} marker decides whether start-up must run Chronicle's recovery
 * (after {@code kill -9} segment locks may still be held in the file).
 *
 * <p>Lookups hold a lease on the entry they return ({@link Leases}): chunks of a removed or replaced
 * entry are freed only after its last lease is released, so a single-chunk body can be handed out
 * as a zero-copy view of the file ({@link ChunkWindows}). Decoded head records of recently read
 * primaries are kept in {@link HotHeads} while their stripe is unchanged.
 */
public final class ChronicleTier implements CacheStore {
  private static final Logger LOG = LoggerFactory.getLogger(ChronicleTier.class);
  private static final String HEADS_FILE = "heads.cm3";
  private static final String CHUNKS_FILE = "chunks.cm3";
  private static final String CLEAN_MARKER = "clean-shutdown";
  private static final String LOCK_FILE = "lock";
  /** Names the on-disk format; files without it (or with another) are moved aside at start-up. */
  private static final String FORMAT_FILE = "format";
  private static final String FORMAT = "cachalot-disk-format " + EntryCodec.VERSION;
  private static final int EVICTION_SAMPLES = 8;
  /** Slots of the decoded-head cache ({@link HotHeads}): a fixed bound, ~1 KB of heap per slot used. */
  static final int HOT_HEADS = 4096;

  private final StoreConfig config;
  private final InstantSource clock;
  private final Path directory;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final ChronicleMap<Long, byte[]> heads;
  private final HeadSlots slots;
  private final ChronicleMap<Long, ByteBuffer> chunks;
  private final DiskIndex index;
  /** Reference counts per entry id: chunks of a leased entry are freed after its last lease. */
  private final Leases leases = new Leases();
  /** Zero-copy views of chunk values (null when the chunks map's layout could not be read). */
  private final ChunkWindows windows;
  /** Decoded head records of recently read primaries (bounded). */
  private final HotHeads hot = new HotHeads(HOT_HEADS);
  private final LongAdder leakedAtClose = new LongAdder();
  /** Head records read from Chronicle by lookups (the decoded-head cache missed). */
  private final LongAdder headReads = new LongAdder();
  /**
   * How long close waits for leases still held: none by default, since the proxy closes the store
   * only after draining its requests, and a view stays readable after close anyway (tests set it).
   */
  private volatile long leaseCloseWaitMillis;
  /** Test hook run when close starts waiting for leases (null: none). */
  private volatile Runnable closeWaitHook;
  private final AtomicLong nextEntryId;
  /** Draws eviction samples; seeded only by tests that need a reproducible eviction order. */
  private final Random random;
  private final ScheduledExecutorService sweeper;
  private final long startupMillis;

  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder writes = new LongAdder();
  private final LongAdder declined = new LongAdder();
  private final LongAdder evictions = new LongAdder();
  private final LongAdder expirations = new LongAdder();
  private final LongAdder corruptions = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private final LongAdder reclaimed = new LongAdder();
  private volatile boolean closed;
  /** Operations hold the read side; close takes the write side, so no access outlives the mapping. */
  private final ReentrantReadWriteLock life = new ReentrantReadWriteLock();

  private ChronicleTier(StoreConfig config, InstantSource clock, boolean startSweeper, Random random)
      throws IOException {
    long t0 = System.nanoTime();
    this.config = config;
    this.random = random;
    this.clock = clock;
    this.directory = config.directory().toAbsolutePath();
    Files.createDirectories(directory);
    this.lockChannel = FileChannel.open(directory.resolve(LOCK_FILE),
        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock l;
    try {
      l = lockChannel.tryLock();
    } catch (OverlappingFileLockException e) {
      lockChannel.close();
      throw new IOException("cache directory " + directory + " is in use (already open in this process)", e);
    } catch (IOException | RuntimeException e) {
      lockChannel.close();
      throw new IOException("cannot lock cache directory " + directory + ": " + e, e);
    }
    if (l == null) {
      lockChannel.close();
      throw new IOException("cache directory " + directory + " is in use by another process");
    }
    this.lock = l;
    Path clean = directory.resolve(CLEAN_MARKER);
    boolean existed = Files.exists(directory.resolve(HEADS_FILE));
    if (existed && !formatMatches(directory.resolve(FORMAT_FILE))) {
      // An older format (version 1 kept one head record per primary, rewritten in place): not
      // readable by this code. Keep the files for the operator, start empty.
      String suffix = ".old-format-" + System.currentTimeMillis();
      LOG.warn("disk cache files in {} are not in format '{}'; moving them aside with suffix {} and starting"
          + " empty (delete them once not needed)", directory, FORMAT, suffix);
      moveAside(directory.resolve(HEADS_FILE), suffix);
      moveAside(directory.resolve(CHUNKS_FILE), suffix);
      Files.deleteIfExists(clean);
      existed = false;
    }
    boolean wasClean = !existed || Files.exists(clean);
    ChronicleMap<Long, byte[]> h = null;
    ChronicleMap<Long, ByteBuffer> c = null;
    try {
      h = openMap(headsBuilder(config), directory.resolve(HEADS_FILE), wasClean, this::onRecoveryCorruption);
      c = openMap(chunksBuilder(config), directory.resolve(CHUNKS_FILE), wasClean, this::onRecoveryCorruption);
    } catch (IOException | RuntimeException | AssertionError | InternalError e) {
      // Storage corruption is a counted miss, never a crash: keep the damaged files for
      // inspection, start empty.
      closeQuietly(h);
      closeQuietly(c);
      String suffix = ".corrupt-" + System.currentTimeMillis();
      LOG.error("disk cache files in {} cannot be opened ({}); moving them aside with suffix {} and starting empty",
          directory, e.toString(), suffix);
      corruptions.increment();
      moveAside(directory.resolve(HEADS_FILE), suffix);
      moveAside(directory.resolve(CHUNKS_FILE), suffix);
      h = headsBuilder(config).createPersistedTo(directory.resolve(HEADS_FILE).toFile());
      c = chunksBuilder(config).createPersistedTo(directory.resolve(CHUNKS_FILE).toFile());
    }
    this.heads = h;
    this.chunks = c;
    this.slots = new HeadSlots(h, new HeadSlots.Listener() {
      @Override
      public void corrupt(String what) {
        corruptions.increment();
        LOG.warn("dropping corrupt {} in {}", what, directory);
      }

      @Override
      public void cleanupFailed(RuntimeException e) {
        failures.increment();
        LOG.warn("removing a superseded head slot in {} failed (settled later)", directory, e);
      }
    });
    Files.writeString(directory.resolve(FORMAT_FILE), FORMAT + "\n");
    Files.deleteIfExists(clean);
    this.windows = openWindows(c, directory.resolve(CHUNKS_FILE), config);
    this.index = new DiskIndex(1024);
    this.nextEntryId = new AtomicLong(rebuild(!wasClean) + 1);
    // The scan touched every record and chunk key: let those pages leave the resident set.
    ChronicleResidency.dropMapping(h);
    ChronicleResidency.dropMapping(c);
    this.startupMillis = (System.nanoTime() - t0) / 1_000_000;
    LOG.info("disk cache {} ready in {} ms: {} entries, {} body bytes, {} orphan chunks reclaimed{}",
        directory, startupMillis, index.count(), index.bytes(), reclaimed.sum(),
        wasClean ? "" : " (recovered after an unclean shutdown)");
    if (startSweeper) {
      this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cachalot-disk-sweeper");
        t.setDaemon(true);
        return t;
      });
      long period = config.sweepInterval().toMillis();
      sweeper.scheduleWithFixedDelay(() -> sweepExpired(clock.instant()), period, period, TimeUnit.MILLISECONDS);
    } else {
      this.sweeper = null;
    }
  }

  /**
   * Opens (creating or recovering as needed) the disk tier in {@code config.directory()}, with a
   * background sweeper of expired entries driven by {@code clock}.
   *
   * @throws IOException when the directory cannot be created or locked (it is in use)
   */
  public static ChronicleTier open(StoreConfig config, InstantSource clock) throws IOException {
    return new ChronicleTier(config, clock, true, new Random());
  }

  /** Opens without the background sweeper (tests drive {@link #sweepExpired} themselves). */
  public static ChronicleTier openWithoutSweeper(StoreConfig config, InstantSource clock) throws IOException {
    return new ChronicleTier(config, clock, false, new Random());
  }

  /**
   * Opens without the background sweeper and with {@code evictionRandom} drawing the eviction
   * samples (tests pass a seeded one so that which entries are evicted is reproducible).
   */
  public static ChronicleTier openWithoutSweeper(StoreConfig config, InstantSource clock, Random evictionRandom)
      throws IOException {
    return new ChronicleTier(config, clock, false, evictionRandom);
  }

  private static ChronicleMapBuilder<Long, byte[]> headsBuilder(StoreConfig config) {
    long entries = Math.max(1024, config.diskMaxEntries());
    return ChronicleMap.of(Long.class, byte[].class)
        .name("cachalot-heads")
        .sparseFile(true)
        .entries(entries)
        .averageValueSize(config.averageHeadBytes())
        .maxBloatFactor(4.0)
        .putReturnsNull(true)
        .removeReturnsNull(true);
  }

  private static ChronicleMapBuilder<Long, ByteBuffer> chunksBuilder(StoreConfig config) {
    long expectedEntries = Math.max(1, Math.min(config.diskMaxEntries(),
        config.diskMaxBytes() / Math.max(1, config.averageBodyBytes())));
    long chunksPerEntry = Math.max(1, (config.averageBodyBytes() + config.chunkBytes() - 1L) / config.chunkBytes());
    long entries = Math.max(1024, expectedEntries * chunksPerEntry);
    int averageChunk = Math.min(config.averageBodyBytes(), config.chunkBytes()) + 4;
    return ChronicleMap.of(Long.class, ByteBuffer.class)
        .name("cachalot-chunks")
        .sparseFile(true)
        .entries(entries)
        .averageValueSize(Math.max(64, averageChunk))
        .maxBloatFactor(4.0)
        .putReturnsNull(true)
        .removeReturnsNull(true);
  }

  /**
   * The JDK mapping of the chunks file for zero-copy views, or null when Chronicle's layout cannot
   * be read (then small bodies are copied, as before).
   */
  private static ChunkWindows openWindows(ChronicleMap<Long, ByteBuffer> chunks, Path file, StoreConfig config) {
    try {
      VanillaChronicleHash<?, ?, ?, ?> h = (VanillaChronicleHash<?, ?, ?, ?>) chunks;
      return new ChunkWindows(file, h.bsAddress(), h.sizeInBytesWithoutTiers(), config.chunkBytes() + 4,
          config.sendfile());
    } catch (IOException | RuntimeException e) {
      LOG.warn("zero-copy views of {} unavailable ({}); small disk bodies are copied", file, e.toString());
      return null;
    }
  }

  private static <K, V> ChronicleMap<K, V> openMap(ChronicleMapBuilder<K, V> builder, Path file, boolean wasClean,
      ChronicleHashCorruption.Listener listener) throws IOException {
    File f = file.toFile();
    if (!f.exists() || wasClean) {
      return builder.createPersistedTo(f);
    }
    LOG.warn("{} was not closed cleanly; running Chronicle Map recovery", file);
    return builder.recoverPersistedTo(f, true, listener);
  }

  /**
   * Logs what Chronicle's recovery repaired. Not counted as a corruption: after a kill most reports
   * are bookkeeping fixes (free-space counters); entries that are really lost are counted by our own
   * checks (undecodable heads, missing or bad chunks).
   */
  private void onRecoveryCorruption(ChronicleHashCorruption c) {
    LOG.warn("recovery repaired segment {}: {}", c.segmentIndex(), c.message());
  }

  private static void moveAside(Path file, String suffix) throws IOException {
    if (Files.exists(file)) {
      Files.move(file, file.resolveSibling(file.getFileName() + suffix));
    }
  }

  /** True when the format file names the format this code writes. */
  private static boolean formatMatches(Path formatFile) {
    try {
      return Files.exists(formatFile) && Files.readString(formatFile).strip().equals(FORMAT);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static void closeQuietly(ChronicleMap<?, ?> map) {
    if (map != null) {
      try {
        map.close();
      } catch (RuntimeException e) {
        LOG.debug("closing a damaged map failed", e);
      }
    }
  }

  /**
   * Rebuilds the index from the heads file (settling primaries with records in both slots, dropping
   * undecodable records) and reclaims chunks no head refers to (writes cut off by a crash). Returns
   * the largest entry id seen.
   */
  private long rebuild(boolean checkChunks) {
    int nowSec = seconds(clock.instant());
    Set<Long> liveIds = new HashSet<>();
    List<StoreKey> incomplete = new ArrayList<>();
    List<Variant> incompleteVariants = new ArrayList<>();
    long[] maxId = {0};
    slots.scan(g -> {
      for (Variant v : g.variants()) {
        StoreKey key = StoreKey.of(g.primary(), v.variant());
        index.put(key.hash(), key.primaryHash(), v.bodyLength(), v.head().retainUntil().getEpochSecond(), nowSec,
            false);
        liveIds.add(v.entryId());
        maxId[0] = Math.max(maxId[0], v.entryId());
        if (checkChunks) {
          incomplete.add(key);
          incompleteVariants.add(v);
        }
      }
    });
    // After a crash (or damage dropped by Chronicle's recovery) make sure every head's chunks are
    // all there; an entry missing one is dropped and counted.
    for (int i = 0; i < incomplete.size(); i++) {
      Variant v = incompleteVariants.get(i);
      int n = chunkCount(v);
      for (int c = 0; c < n; c++) {
        if (!chunks.containsKey(ChunkKeys.of(v.entryId(), c))) {
          dropMissing(incomplete.get(i), v.entryId(), "chunk " + c + " missing after recovery");
          liveIds.remove(v.entryId());
          break;
        }
      }
    }
    List<Long> orphans = new ArrayList<>();
    chunks.forEachEntry(e -> {
      long ck = e.key().get();
      long id = ChunkKeys.entryId(ck);
      maxId[0] = Math.max(maxId[0], id);
      if (!liveIds.contains(id)) {
        orphans.add(ck);
      }
    });
    for (Long ck : orphans) {
      chunks.remove(ck);
    }
    reclaimed.add(orphans.size());
    return maxId[0];
  }

  private boolean enter() {
    life.readLock().lock();
    if (closed) {
      life.readLock().unlock();
      return false;
    }
    return true;
  }

  private void exit() {
    life.readLock().unlock();
  }

  /** Lease counters of this tier. */
  public LeaseStats leaseStats() {
    return new LeaseStats(leases.outstanding(), leases.acquired(), leases.deferred(),
        leases.deferred() - leases.deferredDone(), leakedAtClose.sum());
  }

  /**
   * Lease counters.
   *
   * @param outstanding leases held now
   * @param acquired leases taken since start
   * @param deferredFrees removals whose chunk free had to wait for a lease (since start)
   * @param pendingFrees deferred frees still waiting for their last lease
   * @param leakedAtClose leases still held when close stopped waiting (their chunks are reclaimed
   *     at the next start)
   */
  public record LeaseStats(long outstanding, long acquired, long deferredFrees, long pendingFrees,
      long leakedAtClose) {}

  /** Head records lookups read from Chronicle so far (the decoded-head cache missed). */
  long headReads() {
    return headReads.sum();
  }

  /** Sets how long close waits for leases still held (tests; default 0). */
  void leaseCloseWait(long millis, Runnable onWaiting) {
    this.leaseCloseWaitMillis = millis;
    this.closeWaitHook = onWaiting;
  }

  /** Milliseconds the last open took (start-up measurement). */
  public long startupMillis() {
    return startupMillis;
  }

  /** Heap bytes held by the on-heap index (the only per-entry heap cost of disk-only entries). */
  public long indexHeapBytes() {
    return index.heapBytes();
  }

  /** Number of chunk records in the chunks file (tests check that orphans were reclaimed). */
  public long chunkCount() {
    return chunks.longSize();
  }

  /** Installs a crash-point hook in the head slots (tests only; null removes it). */
  void headStepHook(HeadSlots.StepHook hook) {
    slots.hook(hook);
  }

  /** The cache directory. */
  public Path directory() {
    return directory;
  }

  // ---------------------------------------------------------------------------------- lookups

  @Override
  public Optional<StoredEntry> lookup(StoreKey key, Instant now) {
    return Optional.ofNullable(get(key, now));
  }

  /** Like {@link #lookup}, returning the entry or null. */
  public StoredEntry get(StoreKey key, Instant now) {
    if (!enter()) {
      misses.increment();
    return null;
    }
    try {
      return get0(key, now);
    } finally {
      exit();
    }
  }

  private StoredEntry get0(StoreKey key, Instant now) {
    StoredEntry e = find(key, now);
    if (e == null) {
      misses.increment();
    } else {
      hits.increment();
    }
    return e;
  }

  private StoredEntry find(StoreKey key, Instant now) {
    if (closed) {
      return null;
    }
    try {
      long ph = key.primaryHash();
      HotHeads.Hot h = hot.get(ph);
      for (int attempt = 0; attempt < 3; attempt++) {
        if (h == null || !slots.unchanged(ph, h.stamp) || !key.primaryEquals(h.group.primary())) {
          headReads.increment();
          HeadSlots.Snapshot snap = slots.snapshot(ph);
          if (snap.group() == null || !key.primaryEquals(snap.group().primary())) {
            return null;
          }
          h = hot.put(ph, snap.stamp(), snap.group());
        }
        int i = h.indexOf(key);
        if (i < 0) {
          return null;
        }
        Variant v = h.group.variants().get(i);
        if (!v.head().retainUntil().isAfter(now)) {
          return null;
        }
        StoredEntry e = leased(key, h, i, v, now);
        if (e != RETRY) {
          return e;
        }
        h = null; // the group changed while the lease was taken: read it again
      }
      return null;
    } catch (RuntimeException | AssertionError | InternalError | IOException e) {
      failures.increment();
      LOG.warn("disk tier lookup failed for {}", key, e);
      return null;
    }
  }

  /** Marker: the head changed under a lookup; read it again. */
  private static final StoredEntry RETRY = new BufferedEntry(StoreKey.of(new byte[0]),
      new EntryHead(200, List.of(), Instant.EPOCH, Instant.EPOCH, Instant.EPOCH), 0, 0, 0, StoreTier.DISK,
      ByteBuffer.allocate(0));

  /**
   * The entry for variant {@code i} of a current group, holding a lease on its body: a zero-copy
   * view for a single-chunk body up to {@code cache.disk.inline-read-max-bytes} (verified the first
   * time it is read in this process), a copy for other small bodies, a streaming entry otherwise.
   * Returns null for a miss and {@link #RETRY} when the group changed before the lease was held.
   */
  private StoredEntry leased(StoreKey key, HotHeads.Hot h, int i, Variant v, Instant now) throws IOException {
    long ph = key.primaryHash();
    int touched = index.touchAndVerified(key.hash(), seconds(now));
    boolean small = v.bodyLength() <= config.inlineReadMaxBytes();
    ChunkView view = small ? h.views.get(i) : null;
    Leases.Lease lease = leases.acquire(v.entryId());
    if (lease == null) {
      return RETRY; // being freed: an edit just dropped it; the current head may name another entry
    }
    // Holding the lease, the entry is still the current one only if no edit of its stripe started
    // since the group was read; then its chunks stay until the lease is released.
    if (!slots.unchanged(ph, h.stamp)) {
      lease.close();
      return RETRY;
    }
    if (view != null) {
      return new BufferedEntry(key, v.head(), v.entryId(), v.headVersion(), v.bodyCrc(), StoreTier.DISK,
          view, lease);
    }
    if (!small) {
      return new ChunkedEntry(this, key, v, lease);
    }
    boolean verified = touched >= 0 && (touched & DiskIndex.VERIFIED_FLAG) != 0;
    if (v.bodyLength() > 0 && chunkCount(v) == 1 && windows != null) {
      ChunkView mapped = mappedChunk(v);
      if (mapped == MISSING_VIEW) {
        lease.close();
        dropMissing(key, v.entryId(), "chunk 0 missing");
        return null;
      }
      if (mapped != null) {
        if (!verified) {
          // Read from the file, not the view: a body sent with sendfile never enters our RSS.
          if (!windows.verify(mapped, v.bodyCrc())) {
            lease.close();
            dropCorruptEntry(key, v.entryId(), "body checksum mismatch");
            return null;
          }
          index.markVerified(key.hash());
        }
        h.views.set(i, mapped);
        return new BufferedEntry(key, v.head(), v.entryId(), v.headVersion(), v.bodyCrc(), StoreTier.DISK,
            mapped, lease);
      }
    }
    // Several chunks, or a value outside the translatable mapping: copy (the lease is not needed
    // once the copy is made).
    try {
      ByteBuffer body = readWhole(key, v, verified);
      return body == null ? null
          : new BufferedEntry(key, v.head(), v.entryId(), v.headVersion(), v.bodyCrc(), StoreTier.DISK, body);
    } finally {
      lease.close();
    }
  }

  /**
   * The body of a looked-up entry {@code e} as a view of its one chunk in the mapped file, for the
   * memory tier to hold instead of a copy ({@code cache.memory.bodies: mapped}), with a lease of its
   * own; null when that is not possible (the caller copies): the body is empty or has several
   * chunks, its chunk lies outside the translatable mapping, the entry is being freed, its chunk is
   * gone or fails its checksum. A view this tier returned under a lease that is still held is shared
   * as it is (it was verified when handed out; no Chronicle access); a streamed entry's chunk is
   * looked up and verified against the body checksum.
   */
  public MappedBody mappedBody(StoredEntry e) {
    if (windows == null || e.bodyLength() <= 0) {
      return null;
    }
    if (e instanceof BufferedEntry) {
      BufferedEntry b = (BufferedEntry) e;
      if (!(b.hold() instanceof Leases.Lease) || ((Leases.Lease) b.hold()).owner() != leases
          || b.hold().isClosed() || b.tier() != StoreTier.DISK) {
        return null;
      }
      ChunkView chunk = b.chunkView();
      if (chunk == null) {
        return null;
      }
      Leases.Lease lease = leases.acquire(b.entryId());
      return lease == null ? null : new MappedBody(chunk, lease);
    }
    return e instanceof ChunkedEntry && ((ChunkedEntry) e).owner() == this
        ? chunkBody(e.key(), ((ChunkedEntry) e).variant(), true) : null;
  }

  /**
   * Like {@link #mappedBody}, for an entry this tier has just committed (the {@link CommitResult}'s
   * entry): its chunk is looked up under a new lease and not verified again (this process wrote it).
   * With the lease held, a chunk found is the committed one and stays until the lease is released,
   * since entry ids are never reused; a chunk already freed (the entry replaced meanwhile) is null.
   */
  public MappedBody committedBody(StoredEntry committed) {
    if (windows == null || committed.bodyLength() <= 0 || !(committed instanceof ChunkedEntry)
        || ((ChunkedEntry) committed).owner() != this) {
      return null;
    }
    return chunkBody(committed.key(), ((ChunkedEntry) committed).variant(), false);
  }

  private MappedBody chunkBody(StoreKey key, Variant v, boolean verify) {
    if (chunkCount(v) != 1 || !enter()) {
      return null;
    }
    Leases.Lease lease = null;
    try {
      lease = leases.acquire(v.entryId());
      if (lease == null) {
        return null;
      }
      ChunkView view = mappedChunk(v);
      if (view == null || view == MISSING_VIEW) {
        lease.close();
        return null;
      }
      if (verify) {
        if (!windows.verify(view, v.bodyCrc())) {
          lease.close();
          dropCorruptEntry(key, v.entryId(), "body checksum mismatch");
          return null;
        }
      }
      return new MappedBody(view, lease);
    } catch (IOException | RuntimeException | AssertionError | InternalError ex) {
      if (lease != null) {
        lease.close();
      }
      failures.increment();
      LOG.warn("disk tier view of {} for the memory tier failed", key, ex);
      return null;
    } finally {
      exit();
    }
  }

  /** Marker: the chunk is not in the map. */
  private static final ChunkView MISSING_VIEW = new ChunkView(ByteBuffer.allocate(0), 0, null);

  /**
   * A read-only view of the only chunk of {@code v} (payload only, its length checked), null when
   * the value lies outside the translatable mapping, {@link #MISSING_VIEW} when there is no chunk.
   * The caller holds a lease on the entry.
   */
  private ChunkView mappedChunk(Variant v) throws IOException {
    int want = (int) v.bodyLength();
    long address;
    try (ExternalMapQueryContext<Long, ByteBuffer, ?> c = chunks.queryContext(ChunkKeys.of(v.entryId(), 0))) {
      MapEntry<Long, ByteBuffer> e = c.entry();
      if (e == null) {
        return MISSING_VIEW;
      }
      Data<ByteBuffer> d = e.value();
      if (d.size() != want + 4L) {
        return null; // let the copying path report the damage
      }
      address = d.bytes().addressForRead(d.offset());
    }
    ChunkView view = windows.view(address, want);
    if (view != null) {
      // Served through the JDK mapping from now on: let RSS count these page-cache pages once.
      ChronicleResidency.dropChronicleMapping(address, want + 4L);
    }
    return view;
  }

  /** The aged hit count of a key (raised by every lookup hit), or -1 when not stored. */
  public int hitCount(StoreKey key) {
    return index.hits(key.hash());
  }

  /** Forgets a key's hit count (after it was promoted to memory, so it must earn the next one). */
  public void resetHits(StoreKey key) {
    index.resetHits(key.hash());
  }

  /**
   * Reads a whole (small) body, verifying it unless this process wrote or verified it already (the
   * issue's rule: every body is checked at least when first read after a restart); on any mismatch
   * drops the entry and returns null. One CRC32C pass over the whole body checks every chunk at
   * once (a bad chunk changes the body checksum), so the per-chunk checksums are not computed here.
   */
  private ByteBuffer readWhole(StoreKey key, Variant v, boolean verified) {
    boolean verify = !verified;
    int len = (int) v.bodyLength();
    byte[] body = new byte[len];
    int chunkCount = chunkCount(v);
    for (int i = 0; i < chunkCount; i++) {
      int off = i * v.chunkBytes();
      int want = Math.min(v.chunkBytes(), len - off);
      ChunkRead r = readChunk(v.entryId(), i, body, off, want, false);
      if (r != ChunkRead.OK) {
        if (r == ChunkRead.CORRUPT) {
          dropCorruptEntry(key, v.entryId(), "chunk " + i + " failed its check");
        } else {
          dropMissing(key, v.entryId(), "chunk " + i + " missing");
        }
        return null;
      }
    }
    if (verify) {
      CRC32C crc = new CRC32C();
      crc.update(body, 0, len);
      if ((int) crc.getValue() != v.bodyCrc()) {
        dropCorruptEntry(key, v.entryId(), "body checksum mismatch");
        return null;
      }
      index.markVerified(key.hash());
    }
    return ByteBuffer.wrap(body);
  }

  /** Result of reading one chunk. */
  enum ChunkRead {
    /** Read and verified. */
    OK,
    /** No such chunk (entry removed, replaced or never completed). */
    MISSING,
    /** Length or CRC32C check failed. */
    CORRUPT
  }

  /**
   * Copies chunk {@code index} of {@code entryId} (expected {@code want} payload bytes) into
   * {@code dst[off..off+want)}, checking its length and, when {@code verify}, its CRC32C.
   */
  ChunkRead readChunk(long entryId, int index, byte[] dst, int off, int want, boolean verify) {
    if (!enter()) {
      return ChunkRead.MISSING;
    }
    try {
      return readChunk0(entryId, index, dst, off, want, verify);
    } finally {
      exit();
    }
  }

  private ChunkRead readChunk0(long entryId, int index, byte[] dst, int off, int want, boolean verify) {
    try (ExternalMapQueryContext<Long, ByteBuffer, ?> c = chunks.queryContext(ChunkKeys.of(entryId, index))) {
      MapEntry<Long, ByteBuffer> e = c.entry();
      if (e == null) {
        return ChunkRead.MISSING;
      }
      Data<ByteBuffer> d = e.value();
      if (d.size() != want + 4L) {
        return ChunkRead.CORRUPT;
      }
      d.bytes().read(d.offset(), dst, off, want);
      if (!verify) {
        return ChunkRead.OK;
      }
      byte[] tail = new byte[4];
      d.bytes().read(d.offset() + want, tail, 0, 4);
      CRC32C crc = new CRC32C();
      crc.update(dst, off, want);
      int stored = ((tail[0] & 0xff) << 24) | ((tail[1] & 0xff) << 16) | ((tail[2] & 0xff) << 8) | (tail[3] & 0xff);
      return stored == (int) crc.getValue() ? ChunkRead.OK : ChunkRead.CORRUPT;
    }
  }

  /** Drops an entry whose body failed a check (if it is still the stored one) and counts it. */
  void dropCorruptEntry(StoreKey key, long entryId, String why) {
    corruptions.increment();
    LOG.warn("dropping corrupt entry {} (id {}) in {}: {}", key, entryId, directory, why);
    dropIfCurrent(key, entryId);
  }

  /**
   * Drops an entry with a missing chunk if it is still the stored one (then it is damaged and
   * counted as a corruption; otherwise it was just removed or replaced while being read).
   */
  void dropMissing(StoreKey key, long entryId, String why) {
    if (dropIfCurrent(key, entryId) > 0) {
      corruptions.increment();
      LOG.warn("dropping incomplete entry {} (id {}) in {}: {}", key, entryId, directory, why);
    }
  }

  private int dropIfCurrent(StoreKey key, long entryId) {
    try {
      return removeVariants(key.primaryHash(), v -> v.entryId() == entryId && v.hasVariant(key.variant()));
    } catch (RuntimeException e) {
      failures.increment();
      return 0;
    }
  }

  /** Counts a failure seen while streaming a body. */
  void countFailure() {
    failures.increment();
  }

  static int chunkCount(Variant v) {
    return (int) ((v.bodyLength() + v.chunkBytes() - 1) / v.chunkBytes());
  }

  @Override
  public List<StoreKey> listVariants(StoreKey key) {
    if (!enter()) {
      return List.of();
    }
    try {
      return listVariants0(key);
    } finally {
      exit();
    }
  }

  private List<StoreKey> listVariants0(StoreKey key) {
    try {
      long ph = key.primaryHash();
      HotHeads.Hot h = hot.get(ph);
      if (h != null && slots.unchanged(ph, h.stamp)) {
        // The decoded-head cache: the hit path lists the variants before looking each up.
        return key.primaryEquals(h.group.primary()) ? List.of(h.keys) : List.of();
      }
      headReads.increment();
      HeadSlots.Snapshot snap = slots.snapshot(ph);
      Group g = snap.group();
      if (g == null || !key.primaryEquals(g.primary())) {
        return List.of();
      }
      if (!g.variants().isEmpty()) {
        return List.of(hot.put(ph, snap.stamp(), g).keys);
      }
      List<StoreKey> out = new ArrayList<>(g.variants().size());
      for (Variant v : g.variants()) {
        out.add(StoreKey.of(g.primary(), v.variant()));
      }
      return out;
    } catch (RuntimeException | AssertionError | InternalError e) {
      failures.increment();
      LOG.warn("disk tier listVariants failed for {}", key, e);
      return List.of();
    }
  }

  /**
   * Walks {@code heads.cm3} one Chronicle segment at a time: a segment's head records are decoded
   * under its lock into entries whose bodies are read lazily, then the lock is released before the
   * visitor sees them (so the visitor may write to the map). Undecodable records are skipped here
   * and dropped by the next lookup of their key.
   */
  @Override
  public boolean forEachEntry(Instant now, Predicate<? super StoredEntry> visitor) {
    int segments;
    if (!enter()) {
      return true;
    }
    try {
      segments = heads.segments();
    } finally {
      exit();
    }
    List<StoredEntry> batch = new ArrayList<>();
    Set<Long> primaries = new LinkedHashSet<>();
    for (int s = 0; s < segments; s++) {
      batch.clear();
      primaries.clear();
      if (!enter()) {
        return true;
      }
      try {
        // Only the slot keys are collected under the segment lock; each primary's current record (the
        // valid slot with the higher generation, see HeadSlots) is then read consistently, so a write
        // that briefly leaves two slots never lists a key twice or shows its superseded version.
        try (MapSegmentContext<Long, byte[], ?> c = heads.segmentContext(s)) {
          c.forEachSegmentEntry(e -> primaries.add(e.key().get() >>> 1));
        }
        for (long primaryHash : primaries) {
          Group g = slots.current(primaryHash);
          if (g == null) {
            continue;
          }
          for (Variant v : g.variants()) {
            if (v.head().retainUntil().isAfter(now)) {
              batch.add(new ChunkedEntry(this, StoreKey.of(g.primary(), v.variant()), v));
            }
          }
        }
      } catch (RuntimeException | AssertionError | InternalError e) {
        failures.increment();
        LOG.warn("disk tier walk failed in segment {}", s, e);
        return true;
      } finally {
        exit();
      }
      for (StoredEntry x : batch) {
        if (!visitor.test(x)) {
          return false;
        }
      }
    }
    return true;
  }

  // ---------------------------------------------------------------------------------- writes

  @Override
  public EntryWriter beginWrite(StoreKey key, EntryHead head, long expectedLength, Instant now) {
    return new DiskWriter(key, head, expectedLength);
  }

  /** A write: chunks as they fill, the head at commit. */
  private final class DiskWriter implements EntryWriter {
    private final StoreKey key;
    private final EntryHead head;
    private final long expectedLength;
    private final long entryId;
    private final int chunkBytes = config.chunkBytes();
    private final CRC32C bodyCrc = new CRC32C();
    private final CRC32C chunkCrc = new CRC32C();
    private ByteBuffer chunk;
    private long length;
    private int chunksWritten;
    private WriteOutcome ended;

    DiskWriter(StoreKey key, EntryHead head, long expectedLength) {
      this.key = key;
      this.head = head;
      this.expectedLength = expectedLength;
      this.entryId = nextEntryId.getAndIncrement();
      if (closed) {
        decline(WriteOutcome.FAILED);
      } else if (expectedLength > config.maxObjectBytes() || entryId > ChunkKeys.MAX_ENTRY_ID) {
        decline(WriteOutcome.TOO_LARGE);
      } else {
        int first = expectedLength >= 0 ? (int) Math.min(chunkBytes, expectedLength) : chunkBytes;
        chunk = ByteBuffer.allocate(first + 4);
      }
    }

    @Override
    public boolean append(ByteBuffer data) {
      if (ended != null) {
        return false;
      }
      int n = data.remaining();
      if (length + n > config.maxObjectBytes() || (expectedLength >= 0 && length + n > expectedLength)) {
        decline(WriteOutcome.TOO_LARGE);
        return false;
      }
      ByteBuffer src = data.duplicate();
      bodyCrc.update(src.duplicate());
      length += n;
      while (src.hasRemaining()) {
        if (chunk.position() == chunkBytes) {
          if (!flush()) {
            return false;
          }
        }
        int room = Math.min(chunkBytes, chunk.capacity() - 4) - chunk.position();
        if (room == 0) {
          ByteBuffer bigger = ByteBuffer.allocate(chunkBytes + 4);
          chunk.flip();
          bigger.put(chunk);
          chunk = bigger;
          room = chunkBytes - chunk.position();
        }
        int take = Math.min(room, src.remaining());
        ByteBuffer slice = src.duplicate();
        slice.limit(slice.position() + take);
        chunk.put(slice);
        src.position(src.position() + take);
      }
      return true;
    }

    /** Writes the buffered chunk (payload + CRC32C); false when the write was declined. */
    private boolean flush() {
      if (!enter()) {
        decline(WriteOutcome.FAILED);
        return false;
      }
      try {
        return flush0();
      } finally {
        exit();
      }
    }

    private boolean flush0() {
      int payload = chunk.position();
      chunkCrc.reset();
      chunkCrc.update(chunk.array(), 0, payload);
      chunk.putInt((int) chunkCrc.getValue());
      chunk.flip();
      long ck = ChunkKeys.of(entryId, chunksWritten);
      try {
        putChunk(ck, chunk);
      } catch (MapFullException e) {
        decline(WriteOutcome.NO_SPACE);
        return false;
      } catch (RuntimeException | AssertionError | InternalError e) {
        failures.increment();
        LOG.warn("disk tier chunk write failed for {}", key, e);
        decline(WriteOutcome.FAILED);
        return false;
      }
      chunksWritten++;
      chunk.clear();
      return true;
    }

    @Override
    public long bytesWritten() {
      return length;
    }

    @Override
    public CommitResult commit(Instant now) {
      if (!enter()) {
        decline(WriteOutcome.FAILED);
        return CommitResult.notStored(ended == WriteOutcome.COMMITTED ? WriteOutcome.ABORTED : ended);
      }
      try {
        return commit0(now);
      } finally {
        exit();
      }
    }

    private CommitResult commit0(Instant now) {
      if (ended != null) {
        return CommitResult.notStored(ended == WriteOutcome.COMMITTED ? WriteOutcome.ABORTED : ended);
      }
      if (expectedLength >= 0 && length != expectedLength) {
        decline(WriteOutcome.TOO_LARGE);
        return CommitResult.notStored(WriteOutcome.TOO_LARGE);
      }
      if (chunk.position() > 0 && !flush()) {
        return CommitResult.notStored(ended);
      }
      Variant v = new Variant(key.variant(), entryId, 0, length, (int) bodyCrc.getValue(), chunkBytes, head);
      try {
        commitHead(key, v, now);
      } catch (MapFullException e) {
        decline(WriteOutcome.NO_SPACE);
        return CommitResult.notStored(WriteOutcome.NO_SPACE);
      } catch (RuntimeException | AssertionError | InternalError e) {
        failures.increment();
        LOG.warn("disk tier commit failed for {}", key, e);
        decline(WriteOutcome.FAILED);
        return CommitResult.notStored(WriteOutcome.FAILED);
      }
      ended = WriteOutcome.COMMITTED;
      writes.increment();
      chunk = null;
      return new CommitResult(WriteOutcome.COMMITTED, new ChunkedEntry(ChronicleTier.this, key, v));
    }

    private void decline(WriteOutcome why) {
      if (ended == null) {
        ended = why;
        declined.increment();
        chunk = null;
        removeChunks(entryId, chunksWritten);
      }
    }

    @Override
    public void abort() {
      if (ended == null) {
        ended = WriteOutcome.ABORTED;
        chunk = null;
        removeChunks(entryId, chunksWritten);
      }
    }

    @Override
    public void close() {
      abort();
    }
  }

  /** Chronicle reported the map full and eviction could not make room. */
  private static final class MapFullException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MapFullException(Throwable cause) {
      super(cause);
    }
  }

  private static boolean isFull(RuntimeException e) {
    String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
    return e instanceof IllegalStateException && (m.contains("full") || m.contains("tier") || m.contains("bloat"));
  }

  private void putChunk(long ck, ByteBuffer value) {
    for (int attempt = 0; ; attempt++) {
      try {
        chunks.put(ck, value);
        return;
      } catch (IllegalStateException e) {
        if (!isFull(e) || attempt >= 3) {
          throw attempt >= 3 ? new MapFullException(e) : e;
        }
        evict(64);
      }
    }
  }

  /**
   * Applies a head edit, evicting entries and retrying (up to 3 times) when Chronicle reports the
   * heads map full; then throws {@link MapFullException}.
   */
  private void editHeads(long primaryHash, HeadSlots.Edit edit) {
    for (int attempt = 0; ; attempt++) {
      try {
        slots.edit(primaryHash, edit);
        return;
      } catch (IllegalStateException e) {
        if (!isFull(e)) {
          throw e;
        }
        if (attempt >= 3) {
          throw new MapFullException(e);
        }
        evict(64);
      }
    }
  }

  /** Inserts or replaces the variant's head in its group: the commit point. */
  private void commitHead(StoreKey key, Variant nv, Instant now) {
    List<StoreKey> droppedKeys = new ArrayList<>();
    List<Variant> dropped = new ArrayList<>();
    editHeads(key.primaryHash(), current -> {
      droppedKeys.clear();
      dropped.clear();
      List<Variant> keep = new ArrayList<>();
      if (current != null) {
        boolean samePrimary = key.primaryEquals(current.primary());
        for (Variant v : current.variants()) {
          // A 64-bit hash collision between two primaries: the newer one takes the slots.
          if (!samePrimary || v.hasVariant(nv.variant())) {
            dropped.add(v);
            droppedKeys.add(StoreKey.of(current.primary(), v.variant()));
          } else {
            keep.add(v);
          }
        }
      }
      keep.add(nv);
      while (keep.size() > config.maxVariants()) {
        Variant v = keep.remove(0);
        dropped.add(v);
        droppedKeys.add(StoreKey.of(key.primary(), v.variant()));
      }
      return new Group(key.primary(), keep);
    });
    index.put(key.hash(), key.primaryHash(), nv.bodyLength(), nv.head().retainUntil().getEpochSecond(),
        seconds(now), true);
    for (int i = 0; i < dropped.size(); i++) {
      if (droppedKeys.get(i).hash() != key.hash()) {
        index.remove(droppedKeys.get(i).hash());
      }
      removeChunks(dropped.get(i).entryId(), chunkCount(dropped.get(i)));
    }
    evictIfNeeded();
  }

  /**
   * Frees the chunks of an entry removed from the heads: now, or when the last lease on it is
   * released. (A free that would run after close is skipped: the next start reclaims the chunks.)
   */
  private void removeChunks(long entryId, int count) {
    leases.free(entryId, () -> {
      if (!enter()) {
        return;
      }
      try {
        removeChunks0(entryId, count);
      } finally {
        exit();
      }
    });
  }

  private void removeChunks0(long entryId, int count) {
    for (int i = 0; i < count; i++) {
      try {
        chunks.remove(ChunkKeys.of(entryId, i));
      } catch (RuntimeException e) {
        failures.increment();
      }
    }
  }

  /** Evicts while over the byte or entry bound. */
  private void evictIfNeeded() {
    int guard = 0;
    while ((index.count() > config.diskMaxEntries() || index.bytes() > config.diskMaxBytes()) && guard++ < 10_000) {
      if (!evictOne()) {
        break;
      }
    }
  }

  /** Evicts up to {@code n} entries regardless of the bounds (the map reported itself full). */
  private void evict(int n) {
    for (int i = 0; i < n; i++) {
      if (!evictOne()) {
        break;
      }
    }
  }

  private boolean evictOne() {
    DiskIndex.Victim v = index.sampleVictim(random, EVICTION_SAMPLES);
    if (v == null) {
      return false;
    }
    int removed = removeVariants(v.primaryHash(), x -> true, v.keyHash());
    if (removed == 0) {
      index.remove(v.keyHash());
    }
    evictions.add(removed);
    return true;
  }

  // ---------------------------------------------------------------------------------- replace / remove

  @Override
  public ReplaceOutcome replaceHead(
      StoreKey key, long expectedEntryId, int expectedHeadVersion, EntryHead newHead, Instant now) {
    if (!enter()) {
      return ReplaceOutcome.FAILED;
    }
    try {
      return replaceHead0(key, expectedEntryId, expectedHeadVersion, newHead, now);
    } finally {
      exit();
    }
  }

  private ReplaceOutcome replaceHead0(
      StoreKey key, long expectedEntryId, int expectedHeadVersion, EntryHead newHead, Instant now) {
    ReplaceOutcome[] out = {ReplaceOutcome.NOT_FOUND};
    try {
      editHeads(key.primaryHash(), current -> {
        out[0] = ReplaceOutcome.NOT_FOUND;
        if (current == null || !key.primaryEquals(current.primary())) {
          return current;
        }
        List<Variant> vs = new ArrayList<>(current.variants());
        for (int i = 0; i < vs.size(); i++) {
          Variant v = vs.get(i);
          if (!key.variantEquals(v.variant())) {
            continue;
          }
          if (!v.head().retainUntil().isAfter(now)) {
            return current;
          }
          if (v.entryId() != expectedEntryId || v.headVersion() != expectedHeadVersion) {
            out[0] = ReplaceOutcome.CONFLICT;
            return current;
          }
          vs.set(i, v.withHead(newHead));
          out[0] = ReplaceOutcome.REPLACED;
          return new Group(current.primary(), vs);
        }
        return current;
      });
    } catch (RuntimeException | AssertionError | InternalError e) {
      failures.increment();
      LOG.warn("disk tier replace failed for {}", key, e);
      return ReplaceOutcome.FAILED;
    }
    if (out[0] == ReplaceOutcome.REPLACED) {
      index.retain(key.hash(), newHead.retainUntil().getEpochSecond());
    }
    return out[0];
  }

  @Override
  public boolean remove(StoreKey key) {
    if (!enter()) {
      return false;
    }
    try {
      return removeVariants(key.primaryHash(), v -> v.hasVariant(key.variant()), key.hash(), key.primary()) > 0;
    } catch (RuntimeException | AssertionError | InternalError e) {
      failures.increment();
      LOG.warn("disk tier remove failed for {}", key, e);
      return false;
    } finally {
      exit();
    }
  }

  @Override
  public int removeAll(StoreKey key) {
    if (!enter()) {
      return 0;
    }
    try {
      return removeVariants(key.primaryHash(), v -> true, 0, key.primary());
    } catch (RuntimeException | AssertionError | InternalError e) {
      failures.increment();
      LOG.warn("disk tier removeAll failed for {}", key, e);
      return 0;
    } finally {
      exit();
    }
  }

  private int removeVariants(long primaryHash, Predicate<Variant> which) {
    return removeVariants(primaryHash, which, 0, null);
  }

  private int removeVariants(long primaryHash, Predicate<Variant> which, long onlyKeyHash) {
    return removeVariants(primaryHash, which, onlyKeyHash, null);
  }

  /**
   * Removes the variants under {@code primaryHash} that match {@code which} (and, when
   * {@code onlyKeyHash != 0}, whose key hash is that; when {@code primary != null}, only if the
   * group's primary is that), then their chunks. Returns how many were removed.
   */
  private int removeVariants(long primaryHash, Predicate<Variant> which, long onlyKeyHash,
      byte[] primary) {
    List<Variant> removed = new ArrayList<>();
    byte[][] groupPrimary = {null};
    HeadSlots.Edit edit = current -> {
      removed.clear();
      if (current == null || (primary != null && !Arrays.equals(primary, current.primary()))) {
        return current;
      }
      groupPrimary[0] = current.primary();
      List<Variant> keep = new ArrayList<>();
      for (Variant v : current.variants()) {
        boolean match = which.test(v)
            && (onlyKeyHash == 0 || StoreKey.of(current.primary(), v.variant()).hash() == onlyKeyHash);
        (match ? removed : keep).add(v);
      }
      if (removed.isEmpty()) {
        return current;
      }
      return keep.isEmpty() ? null : new Group(current.primary(), keep);
    };
    try {
      slots.edit(primaryHash, edit);
    } catch (IllegalStateException e) {
      if (!isFull(e)) {
        throw e;
      }
      // No room for the smaller record (removing only needs room when variants remain): remove the
      // primary's whole record instead. Never evicts here, so eviction cannot recurse.
      slots.edit(primaryHash, current -> {
        removed.clear();
        if (current == null || (primary != null && !Arrays.equals(primary, current.primary()))) {
          return current;
        }
        groupPrimary[0] = current.primary();
        removed.addAll(current.variants());
        return null;
      });
    }
    for (Variant v : removed) {
      index.remove(StoreKey.of(groupPrimary[0], v.variant()).hash());
      removeChunks(v.entryId(), chunkCount(v));
    }
    return removed.size();
  }

  /**
   * Removes variants whose retain-until is at or before {@code now} (the background sweep; tests
   * call it directly with their clock), then lets the pages of both files that Chronicle's own
   * mappings touched since the last sweep leave the resident set. Returns how many were removed.
   *
   * <p>The pages: head records, and mostly the hash lookups of both maps (sized for
   * {@code cache.disk.max-entries}, so 10,000 writes with the defaults touch ~25 MiB of
   * {@code heads.cm3}: each read fault maps the 16 cached pages around it). They are only used by
   * misses, commits, removals and disk lookups that {@link HotHeads} does not answer, never by a
   * memory hit; {@code MADV_DONTNEED} on these shared file mappings keeps them in the page cache
   * and the next access takes a minor fault ({@link ChronicleResidency}). Dropping them after every
   * write instead does not pay: fault-around brings ~190 KiB back per write right after a drop.
   */
  public int sweepExpired(Instant now) {
    if (!enter()) {
      return 0;
    }
    int total = 0;
    try {
      long nowSec = now.getEpochSecond();
      for (DiskIndex.Victim v : index.expired(nowSec, 100_000)) {
        int n = removeVariants(v.primaryHash(), x -> !x.head().retainUntil().isAfter(now), v.keyHash());
        if (n == 0) {
          index.retain(v.keyHash(), Long.MAX_VALUE);
        }
        total += n;
      }
    } catch (RuntimeException | AssertionError | InternalError e) {
      failures.increment();
      LOG.warn("disk tier sweep failed", e);
    } finally {
      try {
        ChronicleResidency.dropMapping(heads);
        ChronicleResidency.dropMapping(chunks);
      } finally {
        exit();
      }
    }
    expirations.add(total);
    return total;
  }

  // ---------------------------------------------------------------------------------- stats, close

  /** Counters and sizes of this tier. */
  public TierStats tierStats() {
    return new TierStats(index.count(), index.bytes(), hits.sum(), misses.sum(), writes.sum(),
        declined.sum(), evictions.sum(), expirations.sum(), corruptions.sum(), failures.sum(),
        reclaimed.sum());
  }

  @Override
  public StoreStats stats() {
    TierStats t = tierStats();
    return new StoreStats(TierStats.EMPTY, t, t.hits(), t.misses(), 0, t.writes(), 0, t.declined());
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    if (sweeper != null) {
      sweeper.shutdownNow();
      try {
        sweeper.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    // Leases still held: their frees run on release, which must happen before the maps close, or
    // the chunks stay as orphans for the next start. Wait a bounded time at most (a leak must not
    // block shutdown); the views themselves stay readable after close (ChunkWindows), and their
    // bytes stay right until the directory is opened again (which reclaims the orphans).
    Runnable hook = closeWaitHook;
    if (hook != null && leases.outstanding() > 0) {
      hook.run();
    }
    try {
      if (!leases.awaitDrained(leaseCloseWaitMillis)) {
        long left = leases.outstanding();
        leakedAtClose.add(left);
        LOG.warn("closing disk cache {} with {} lease(s) still held after {} ms: their removed entries' chunks"
            + " are reclaimed at the next start", directory, left, leaseCloseWaitMillis);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // Wait for operations in flight: the maps' memory is unmapped on close.
    life.writeLock().lock();
    try {
      closed = true;
      heads.close();
      chunks.close();
      if (windows != null) {
        windows.close();
      }
      Files.write(directory.resolve(CLEAN_MARKER), new byte[0]);
    } catch (IOException | RuntimeException e) {
      LOG.warn("closing disk cache {} failed; next start will run recovery", directory, e);
    } finally {
      life.writeLock().unlock();
    }
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      LOG.debug("releasing the cache directory lock failed", e);
    }
  }

  static int seconds(Instant t) {
    long s = t.getEpochSecond();
    return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, s));
  }
}
