package dev.cachalot.store;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Validated settings of the two-tier store. Every component has a configuration key (used in
 * error messages and in cachalot.yaml) and a default ({@link #defaults()}); the constructor
 * rejects a bad value with a {@link StoreConfigException} naming the key, the value and the rule.
 *
 * @param directory {@code cache.dir} (CLI {@code --cache-dir}): directory of the disk tier's files; default {@code ./var/cache}
 * @param diskEnabled {@code cache.disk.enabled}: false runs memory only (nothing persists); default true
 * @param memoryMaxBytes {@code cache.memory.max-bytes}: memory tier bound (bodies + head estimate); default 256 MiB
 * @param memoryMaxObjectBytes {@code cache.memory.max-object-bytes}: largest body kept in memory; default 1 MiB
 * @param maxObjectBytes {@code cache.max-object-bytes}: largest body stored at all; default 1 GiB
 * @param diskMaxBytes {@code cache.disk.max-bytes}: disk tier bound on body bytes; default 8 GiB
 * @param diskMaxEntries {@code cache.disk.max-entries}: disk tier bound on entries; default 250,000 (the heads
 *     file is sized from it: creating it for 1,000,000 entries took about 9 s here, once)
 * @param chunkBytes {@code cache.disk.chunk-bytes}: body chunk size on disk; default 64 KiB
 * @param averageHeadBytes {@code cache.disk.average-head-bytes}: sizing hint for the heads file; default 512
 * @param averageBodyBytes {@code cache.disk.average-body-bytes}: sizing hint for the chunks file; default 32 KiB
 * @param inlineReadMaxBytes {@code cache.disk.inline-read-max-bytes}: disk bodies up to this are read and
 *     verified at lookup into one buffer (larger ones stream, chunk by chunk, each chunk verified); default 64 KiB
 * @param promoteAfterHits {@code cache.disk.promote-after-hits}: disk hits (counted, aged) before a body
 *     is copied into memory; default 2
 * @param maxVariants {@code cache.max-variants}: variants kept per primary key (oldest dropped); default 32
 * @param sweepInterval {@code cache.disk.sweep-interval}: period of the background expiry sweep; default 60 s
 * @param diskAnswerOnIoThread {@code cache.disk.answer-on-io-thread}: the proxy may answer a fresh disk hit
 *     whose body is a mapped view from the I/O thread, like a memory hit (a page fault then blocks
 *     that thread while the page is read); default true. Read by the proxy, not by the store.
 * @param memoryBodies {@code cache.memory.bodies}: {@link MemoryBodies#MAPPED} (a memory entry of a body the
 *     disk tier holds as one mapped chunk is a view of the disk's pages: one copy in RAM) or
 *     {@link MemoryBodies#COPY} (the memory tier keeps its own off-heap copy); default mapped
 * @param sendfile {@code cache.disk.sendfile}: entries whose body is one chunk in the disk tier's mapped
 *     file (disk hits, and memory entries viewing it) also say where it lies in the file
 *     ({@link StoredEntry#bodyFile()}), so the proxy sends plain HTTP/1.1 hits larger than a few KiB
 *     with {@code sendfile} from the page cache and the body pages never enter its RSS; false = the
 *     proxy writes every body from its buffer (view); default true
 */
public record StoreConfig(
    Path directory,
    boolean diskEnabled,
    long memoryMaxBytes,
    long memoryMaxObjectBytes,
    long maxObjectBytes,
    long diskMaxBytes,
    long diskMaxEntries,
    int chunkBytes,
    int averageHeadBytes,
    int averageBodyBytes,
    long inlineReadMaxBytes,
    int promoteAfterHits,
    int maxVariants,
    Duration sweepInterval,
    boolean diskAnswerOnIoThread,
    MemoryBodies memoryBodies,
    boolean sendfile) {

  private static final long KIB = 1024;
  private static final long MIB = 1024 * KIB;
  private static final long GIB = 1024 * MIB;

  /** Validates every value (see the class comment for keys and defaults). */
  public StoreConfig {
    if (directory == null) {
      throw new StoreConfigException("cache.dir", null, "must be set");
    }
    range("cache.memory.max-bytes", memoryMaxBytes, 0, Long.MAX_VALUE / 2);
    range("cache.memory.max-object-bytes", memoryMaxObjectBytes, 0, Integer.MAX_VALUE / 2);
    range("cache.max-object-bytes", maxObjectBytes, 1, 1L << 40);
    range("cache.disk.chunk-bytes", chunkBytes, 4 * KIB, 4 * MIB);
    range("cache.disk.max-bytes", diskMaxBytes, 1 * MIB, 1L << 46);
    range("cache.disk.max-entries", diskMaxEntries, 16, 1L << 31);
    range("cache.disk.average-head-bytes", averageHeadBytes, 64, 1 * MIB);
    range("cache.disk.average-body-bytes", averageBodyBytes, 1, 64 * MIB);
    range("cache.disk.inline-read-max-bytes", inlineReadMaxBytes, 0, 64 * MIB);
    range("cache.disk.promote-after-hits", promoteAfterHits, 1, 1000);
    range("cache.max-variants", maxVariants, 1, 4096);
    if (memoryMaxObjectBytes > memoryMaxBytes) {
      throw new StoreConfigException("cache.memory.max-object-bytes", memoryMaxObjectBytes,
          "must not exceed cache.memory.max-bytes (" + memoryMaxBytes + ")");
    }
    if (diskEnabled && maxObjectBytes > diskMaxBytes) {
      throw new StoreConfigException("cache.max-object-bytes", maxObjectBytes,
          "must not exceed cache.disk.max-bytes (" + diskMaxBytes + ")");
    }
    if (maxObjectBytes / chunkBytes >= (1L << ChunkKeys.INDEX_BITS)) {
      throw new StoreConfigException("cache.max-object-bytes", maxObjectBytes,
          "needs more than 2^" + ChunkKeys.INDEX_BITS + " chunks of cache.disk.chunk-bytes ("
              + chunkBytes + "); raise the chunk size");
    }
    if (sweepInterval == null || sweepInterval.isNegative() || sweepInterval.isZero()) {
      throw new StoreConfigException("cache.disk.sweep-interval", sweepInterval, "must be a positive duration");
    }
    if (memoryBodies == null) {
      throw new StoreConfigException("cache.memory.bodies", null, "must be mapped or copy");
    }
  }

  /** The defaults (directory {@code ./var/cache}). */
  public static StoreConfig defaults() {
    return new StoreConfig(Path.of("var", "cache"), true, 256 * MIB, 1 * MIB, 1 * GIB,
        8 * GIB, 250_000, (int) (64 * KIB), 512, (int) (32 * KIB), 64 * KIB, 2, 32,
        Duration.ofSeconds(60), true, MemoryBodies.MAPPED, true);
  }

  /** A builder starting from {@link #defaults()}. */
  public static Builder builder() {
    return new Builder(defaults());
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  private static void range(String key, long value, long min, long max) {
    if (value < min || value > max) {
      throw new StoreConfigException(key, value, "must be between " + min + " and " + max);
    }
  }

  /** Mutable builder; {@link #build()} validates. */
  public static final class Builder {
    private Path directory;
    private boolean diskEnabled;
    private long memoryMaxBytes;
    private long memoryMaxObjectBytes;
    private long maxObjectBytes;
    private long diskMaxBytes;
    private long diskMaxEntries;
    private int chunkBytes;
    private int averageHeadBytes;
    private int averageBodyBytes;
    private long inlineReadMaxBytes;
    private int promoteAfterHits;
    private int maxVariants;
    private Duration sweepInterval;
    private boolean diskAnswerOnIoThread;
    private MemoryBodies memoryBodies;
    private boolean sendfile;

    private Builder(StoreConfig c) {
      directory = c.directory;
      diskEnabled = c.diskEnabled;
      memoryMaxBytes = c.memoryMaxBytes;
      memoryMaxObjectBytes = c.memoryMaxObjectBytes;
      maxObjectBytes = c.maxObjectBytes;
      diskMaxBytes = c.diskMaxBytes;
      diskMaxEntries = c.diskMaxEntries;
      chunkBytes = c.chunkBytes;
      averageHeadBytes = c.averageHeadBytes;
      averageBodyBytes = c.averageBodyBytes;
      inlineReadMaxBytes = c.inlineReadMaxBytes;
      promoteAfterHits = c.promoteAfterHits;
      maxVariants = c.maxVariants;
      sweepInterval = c.sweepInterval;
      diskAnswerOnIoThread = c.diskAnswerOnIoThread;
      memoryBodies = c.memoryBodies;
      sendfile = c.sendfile;
    }

    /** Sets {@code cache.dir}. */
    public Builder directory(Path v) { directory = v; return this; }
    /** Sets {@code cache.disk.enabled}. */
    public Builder diskEnabled(boolean v) { diskEnabled = v; return this; }
    /** Sets {@code cache.memory.max-bytes}. */
    public Builder memoryMaxBytes(long v) { memoryMaxBytes = v; return this; }
    /** Sets {@code cache.memory.max-object-bytes}. */
    public Builder memoryMaxObjectBytes(long v) { memoryMaxObjectBytes = v; return this; }
    /** Sets {@code cache.max-object-bytes}. */
    public Builder maxObjectBytes(long v) { maxObjectBytes = v; return this; }
    /** Sets {@code cache.disk.max-bytes}. */
    public Builder diskMaxBytes(long v) { diskMaxBytes = v; return this; }
    /** Sets {@code cache.disk.max-entries}. */
    public Builder diskMaxEntries(long v) { diskMaxEntries = v; return this; }
    /** Sets {@code cache.disk.chunk-bytes}. */
    public Builder chunkBytes(int v) { chunkBytes = v; return this; }
    /** Sets {@code cache.disk.average-head-bytes}. */
    public Builder averageHeadBytes(int v) { averageHeadBytes = v; return this; }
    /** Sets {@code cache.disk.average-body-bytes}. */
    public Builder averageBodyBytes(int v) { averageBodyBytes = v; return this; }
    /** Sets {@code cache.disk.inline-read-max-bytes}. */
    public Builder inlineReadMaxBytes(long v) { inlineReadMaxBytes = v; return this; }
    /** Sets {@code cache.disk.promote-after-hits}. */
    public Builder promoteAfterHits(int v) { promoteAfterHits = v; return this; }
    /** Sets {@code cache.max-variants}. */
    public Builder maxVariants(int v) { maxVariants = v; return this; }
    /** Sets {@code cache.disk.sweep-interval}. */
    public Builder sweepInterval(Duration v) { sweepInterval = v; return this; }
    /** Sets {@code cache.disk.answer-on-io-thread}. */
    public Builder diskAnswerOnIoThread(boolean v) { diskAnswerOnIoThread = v; return this; }
    /** Sets {@code cache.memory.bodies}. */
    public Builder memoryBodies(MemoryBodies v) { memoryBodies = v; return this; }
    /** Sets {@code cache.disk.sendfile}. */
    public Builder sendfile(boolean v) { sendfile = v; return this; }

    /** Validates and builds. */
    public StoreConfig build() {
      return new StoreConfig(directory, diskEnabled, memoryMaxBytes, memoryMaxObjectBytes,
          maxObjectBytes, diskMaxBytes, diskMaxEntries, chunkBytes, averageHeadBytes,
          averageBodyBytes, inlineReadMaxBytes, promoteAfterHits, maxVariants, sweepInterval,
          diskAnswerOnIoThread, memoryBodies, sendfile);
    }
  }
}
