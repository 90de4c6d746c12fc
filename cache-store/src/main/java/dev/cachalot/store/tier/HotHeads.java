package dev.cachalot.store.tier;

import dev.cachalot.store.EntryCodec.Group;
import dev.cachalot.store.EntryCodec.Variant;
import dev.cachalot.store.StoreKey;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A small, bounded cache of decoded head records of recently read primaries, so that a disk hit
 * neither reads the head record out of Chronicle nor decodes its strings again.
 *
 * <p>Direct-mapped by primary hash (a new group replaces whatever shared its slot): no locks, no
 * allocation on a hit, a fixed number of slots whatever the number of stored entries. A cached
 * group is used only while {@link HeadSlots#unchanged} confirms the stamp it was read under, i.e.
 * no edit of a primary in its stripe has started since; any commit, head replacement, removal,
 * eviction or expiry in the stripe makes the next lookup read the record again. Besides the decoded
 * variants a group keeps, per variant, the verified zero-copy view of a single-chunk body, so a
 * repeated hit needs one lease and no Chronicle access at all.
 */
final class HotHeads {
  /** One primary's decoded group, the stamp it was read under, and body views found so far. */
  static final class Hot {
    final long primaryHash;
    final long stamp;
    final Group group;
    final StoreKey[] keys;
    final AtomicReferenceArray<ChunkView> views;

    Hot(long primaryHash, long stamp, Group group) {
      this.primaryHash = primaryHash;
      this.stamp = stamp;
      this.group = group;
      List<Variant> vs = group.variants();
      this.keys = new StoreKey[vs.size()];
      for (int i = 0; i < keys.length; i++) {
        keys[i] = StoreKey.of(group.primary(), vs.get(i).variant());
      }
      this.views = new AtomicReferenceArray<>(keys.length);
    }

    /** Index of the variant of {@code key}, or -1 (same primary assumed). */
    int indexOf(StoreKey key) {
      for (int i = 0; i < keys.length; i++) {
        if (keys[i].equals(key)) {
          return i;
        }
      }
      return -1;
    }
  }

  private final AtomicReferenceArray<Hot> slots;
  private final int mask;

  /** A cache of {@code size} slots (rounded up to a power of two; 0 disables it). */
  HotHeads(int size) {
    int n = size <= 0 ? 0 : Integer.highestOneBit(Math.max(1, size - 1)) << 1;
    this.slots = new AtomicReferenceArray<>(n);
    this.mask = n - 1;
  }

  /** The cached group of {@code primaryHash}, or null (unchecked: callers validate the stamp). */
  Hot get(long primaryHash) {
    if (mask < 0) {
      return null;
    }
    Hot h = slots.get(index(primaryHash));
    return h != null && h.primaryHash == primaryHash ? h : null;
  }

  /** Caches a group read under {@code stamp}; returns it. */
  Hot put(long primaryHash, long stamp, Group group) {
    Hot h = new Hot(primaryHash, stamp, group);
    if (mask >= 0) {
      slots.set(index(primaryHash), h);
    }
    return h;
  }

  /** Number of slots. */
  int size() {
    return mask + 1;
  }

  private int index(long primaryHash) {
    return (int) (primaryHash ^ (primaryHash >>> 32)) & mask;
  }
}
