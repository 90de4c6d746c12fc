package dev.cachalot.store.tier;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * The body of a memory-tier entry that is a read-only view of the disk tier's mapped chunk file
 * ({@code cache.memory.bodies: mapped}): one copy of the body in RAM, the page cache, instead of a
 * second off-heap copy.
 *
 * <p>Lifetime. The body holds one disk {@link Leases.Lease} on its entry id, so the chunk stays where
 * it is, with the same bytes, whatever the disk tier does to the entry (replace, remove, eviction,
 * expiry: the chunk free waits for the lease). That lease is closed when the body's own reference
 * count drops to zero. References: one for the memory-tier entry that holds the body while it is in
 * Caffeine (released by the tier's removal listener, whatever the cause), one per hit or walk
 * visit in progress (held by the hit's entry, {@link BufferedEntry#hit()}, and released by its
 * {@link dev.cachalot.store.StoredEntry#close()}).
 * A hit takes its reference with one compare-and-set on this object: no lease-table lookup, no
 * decode. Once the count reached zero it never rises again ({@link #retain()} fails: the lookup
 * then misses in memory), so nothing can read the view after the disk lease is gone.
 */
public final class MappedBody {
  private static final AtomicIntegerFieldUpdater<MappedBody> REFS =
      AtomicIntegerFieldUpdater.newUpdater(MappedBody.class, "refs");

  private final ChunkView chunk;
  private final Leases.Lease lease;
  /** References held; starts at 1 (the creator's, handed to the memory-tier entry). */
  private volatile int refs = 1;

  /** A body over {@code chunk} (its view and file region) kept valid by {@code lease}. */
  MappedBody(ChunkView chunk, Leases.Lease lease) {
    this.chunk = chunk;
    this.lease = lease;
  }

  /** The shared read-only view (position 0); callers duplicate before moving it. */
  ByteBuffer view() {
    return chunk.view;
  }

  /** The view and the file region of the body. */
  ChunkView chunk() {
    return chunk;
  }

  /** Body length in bytes. */
  int length() {
    return chunk.view.limit();
  }

  /** Takes one more reference; false once the count reached zero (the lease is gone). */
  boolean retain() {
    while (true) {
      int r = refs;
      if (r <= 0) {
        return false;
      }
      if (REFS.compareAndSet(this, r, r + 1)) {
        return true;
      }
    }
  }

  /** Drops one reference; the last one closes the disk lease. */
  void release() {
    if (REFS.decrementAndGet(this) == 0) {
      lease.close();
    }
  }

  /** References held now (tests). */
  int refs() {
    return refs;
  }
}
