package dev.cachalot.store.tier;

import dev.cachalot.store.EntryCodec;
import dev.cachalot.store.EntryCodec.CorruptRecordException;
import dev.cachalot.store.EntryCodec.Group;
import dev.cachalot.store.EntryCodec.Variant;
import dev.cachalot.store.StoreKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.StampedLock;
import java.util.function.Consumer;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * The head records of the disk tier: two generation-numbered slots per primary key in
 * {@code heads.cm3}, so that no committed head record is ever rewritten in place.
 *
 * <p>Why: for a persisted Chronicle Map the entry checksum is stored only when the entry's lock is
 * released, so a process killed while an entry's value is being rewritten leaves an entry that
 * Chronicle's recovery drops as a checksum mismatch. If that entry were the only record of a
 * primary, every committed variant under it would be lost with it.
 *
 * <p>How: the primary with hash {@code p} has the slot keys {@code p << 1} and {@code p << 1 | 1}.
 * A change (commit, head replacement, variant removal) is computed from the current record (the
 * valid one with the higher {@link Group#generation() generation}) and written, with the next
 * generation, into the other slot; only then is that other, superseded record removed. A kill while
 * the new slot is written can damage only the new slot (the old one is still there and current); a
 * kill while the old slot is removed leaves both, and the higher generation wins. Removing the last
 * variant removes the non-current slot first, then the current one. Generations come from one
 * counter for the whole tier (restored from the files at start-up), so a record written later always
 * has a higher generation, even after the primary was removed and written again.
 *
 * <p>Writers of one primary are serialised by a striped lock (only one process opens the directory,
 * see the directory lock); readers read both slots under an optimistic stamp of the same stripe and
 * retry under its read lock when a writer got in between, so a lookup never sees a state that
 * never existed (for example, neither slot between a write and the removal of the old slot).
 *
 * <p>Both slot keys drop the top bit of the primary hash, so two primaries whose hashes differ only
 * there share the slots (like any 64-bit hash collision, handled by the primary bytes stored in the
 * record: the newer primary takes the slots).
 */
final class HeadSlots {
  private static final int STRIPES = 1024;

  /** The steps of {@link #edit} a crash can fall between (tests stop the world there). */
  enum Step {
    /** The new record is encoded; nothing is written yet. */
    WRITING_NEW_SLOT,
    /** The new record is in the non-current slot; the superseded slot is still there. */
    NEW_SLOT_WRITTEN,
    /** The edit is complete (superseded slot removed); the caller has not yet removed chunks. */
    EDIT_DONE
  }

  /** Test hook called at each {@link Step} while the primary's stripe is held. */
  interface StepHook {
    /** Called at {@code step} of an edit of {@code primaryHash}. */
    void at(Step step, long primaryHash);
  }

  /** What the slots report to their owner. */
  interface Listener {
    /** An undecodable record was found (and is dropped); {@code what} names it and the reason. */
    void corrupt(String what);

    /** Removing a superseded slot after a completed write failed (settled by a later edit). */
    void cleanupFailed(RuntimeException e);
  }

  /** What a changed group is: a new list of variants, the same group (no change), or null. */
  interface Edit {
    /**
     * Computes the new group from the current one ({@code null} when the primary has none). Returns
     * {@code current} itself for "no change" and null to remove the primary's record. May be called
     * more than once (a write retried after eviction made room), so it must reset what it collects.
     */
    Group apply(Group current);
  }

  private final ChronicleMap<Long, byte[]> heads;
  private final StampedLock[] stripes = new StampedLock[STRIPES];
  private final AtomicLong nextGeneration = new AtomicLong(1);
  private final Listener listener;
  /**
   * True once removing a superseded slot failed: some primary may have two slots outside a write,
   * so lookups must read both. False after start-up, where every primary is settled.
   */
  private volatile boolean unsettled;
  /** Null except in crash-point tests. */
  private volatile StepHook hook;

  HeadSlots(ChronicleMap<Long, byte[]> heads, Listener listener) {
    this.heads = heads;
    this.listener = listener;
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new StampedLock();
    }
  }

  /** The map key of slot {@code slot} (0 or 1) of a primary. */
  static long slotKey(long primaryHash, int slot) {
    return (primaryHash << 1) | slot;
  }

  private StampedLock stripe(long primaryHash) {
    // Low bits only: primaries sharing slot keys (top bit apart) must share the stripe too.
    return stripes[(int) primaryHash & (STRIPES - 1)];
  }

  // ------------------------------------------------------------------------------------ reading

  /** The raw records of both slots, read as one snapshot (no write of the primary in between). */
  private byte[][] readBoth(long primaryHash) {
    StampedLock l = stripe(primaryHash);
    long k0 = slotKey(primaryHash, 0);
    long k1 = slotKey(primaryHash, 1);
    long stamp = l.tryOptimisticRead();
    if (stamp != 0) {
      byte[] r0 = heads.get(k0);
      byte[] r1 = heads.get(k1);
      if (l.validate(stamp)) {
        return new byte[][] {r0, r1};
      }
    }
    stamp = l.readLock();
    try {
      return new byte[][] {heads.get(k0), heads.get(k1)};
    } finally {
      l.unlockRead(stamp);
    }
  }

  /**
   * The current record's variant for {@code key}, or null (no record, another primary, no such
   * variant). A slot that fails its checks is dropped and reported, and the other slot is used.
   */
  Variant find(StoreKey key) {
    long ph = key.primaryHash();
    if (!unsettled) {
      // Outside a write every primary has at most one slot: read slot 0, and slot 1 only if 0 is
      // empty; valid if no writer of the stripe got in between.
      StampedLock l = stripe(ph);
      long stamp = l.tryOptimisticRead();
      if (stamp != 0) {
        int slot = 0;
        byte[] record = heads.get(slotKey(ph, 0));
        if (record == null) {
          slot = 1;
          record = heads.get(slotKey(ph, 1));
        }
        if (l.validate(stamp)) {
          if (record == null) {
            return null;
          }
          try {
            return EntryCodec.findVariant(record, key);
          } catch (CorruptRecordException e) {
            dropCorrupt(ph, slot, record, e.getMessage());
            return null;
          }
        }
      }
    }
    byte[][] r = readBoth(ph);
    int first = 0;
    if (r[0] != null && r[1] != null) {
      // Both present: a write of this primary is between its two steps, or a crash left both.
      first = generationOrMinus(r[1]) > generationOrMinus(r[0]) ? 1 : 0;
    }
    for (int i = 0; i < 2; i++) {
      int slot = i == 0 ? first : 1 - first;
      byte[] record = r[slot];
      if (record == null) {
        continue;
      }
      try {
        return EntryCodec.findVariant(record, key);
      } catch (CorruptRecordException e) {
        dropCorrupt(ph, slot, record, e.getMessage());
      }
    }
    return null;
  }

  /**
   * The current group of a primary (or null) with the stripe stamp it was read under: while
   * {@link #unchanged} says so for that stamp, no edit of any primary of the stripe has started
   * since, so the group is still the current one (the disk tier's cache of decoded heads relies on
   * it). The stamp is valid or the read was redone under the read lock.
   */
  Snapshot snapshot(long primaryHash) {
    StampedLock l = stripe(primaryHash);
    long k0 = slotKey(primaryHash, 0);
    long k1 = slotKey(primaryHash, 1);
    byte[] r0 = null;
    byte[] r1 = null;
    long stamp = l.tryOptimisticRead();
    if (stamp != 0) {
      r0 = heads.get(k0);
      r1 = heads.get(k1);
      if (!l.validate(stamp)) {
        stamp = 0;
      }
    }
    if (stamp == 0) {
      stamp = l.readLock();
      try {
        r0 = heads.get(k0);
        r1 = heads.get(k1);
      } finally {
        l.unlockRead(stamp);
      }
    }
    // A corrupt slot is dropped under the write lock, which also makes this stamp stale.
    Group g = newer(decodeOrDrop(primaryHash, 0, r0), decodeOrDrop(primaryHash, 1, r1));
    return new Snapshot(g, stamp);
  }

  /** A group as read, with the stamp that tells whether it is still current. */
  record Snapshot(Group group, long stamp) {}

  /** True when no edit of the primary's stripe has started since {@code stamp} was issued. */
  boolean unchanged(long primaryHash, long stamp) {
    return stripe(primaryHash).validate(stamp);
  }

  /** The current group of a primary (any primary bytes), or null. */
  Group current(long primaryHash) {
    byte[][] r = readBoth(primaryHash);
    Group g0 = decodeOrDrop(primaryHash, 0, r[0]);
    Group g1 = decodeOrDrop(primaryHash, 1, r[1]);
    return newer(g0, g1);
  }

  private static Group newer(Group g0, Group g1) {
    if (g0 == null) {
      return g1;
    }
    return g1 != null && g1.generation() > g0.generation() ? g1 : g0;
  }

  private static long generationOrMinus(byte[] record) {
    try {
      return EntryCodec.generation(record);
    } catch (CorruptRecordException e) {
      return -1;
    }
  }

  private Group decodeOrDrop(long primaryHash, int slot, byte[] record) {
    if (record == null) {
      return null;
    }
    try {
      return EntryCodec.decode(record);
    } catch (CorruptRecordException e) {
      dropCorrupt(primaryHash, slot, record, e.getMessage());
      return null;
    }
  }

  /** Removes an undecodable slot record if it is still the same bytes, and reports it. */
  private void dropCorrupt(long primaryHash, int slot, byte[] record, String why) {
    listener.corrupt("head record " + Long.toHexString(primaryHash) + " slot " + slot + ": " + why);
    StampedLock l = stripe(primaryHash);
    long stamp = l.writeLock();
    try {
      heads.remove(slotKey(primaryHash, slot), record);
    } finally {
      l.unlockWrite(stamp);
    }
  }

  // ------------------------------------------------------------------------------------ writing

  /**
   * Applies {@code edit} to the primary's current group, holding the primary's stripe: writes the
   * result with the next generation into the non-current slot, then removes the other slot (or,
   * when the result is null, removes the non-current slot and then the current one). Exceptions
   * from Chronicle (a full map, say) propagate after the lock is released; the caller may retry.
   */
  void edit(long primaryHash, Edit edit) {
    StampedLock l = stripe(primaryHash);
    long stamp = l.writeLock();
    try {
      long k0 = slotKey(primaryHash, 0);
      long k1 = slotKey(primaryHash, 1);
      byte[] r0 = heads.get(k0);
      byte[] r1 = heads.get(k1);
      Group g0 = decodeLocked(primaryHash, 0, r0);
      Group g1 = decodeLocked(primaryHash, 1, r1);
      Group current = newer(g0, g1);
      int cur = current == null ? -1 : current == g0 ? 0 : 1;
      Group next = edit.apply(current);
      if (next == null) {
        // Non-current (stale or damaged) first: the current one must be the last to go.
        if (cur != 0 && r0 != null) {
          heads.remove(k0);
        }
        if (cur != 1 && r1 != null) {
          heads.remove(k1);
        }
        if (cur >= 0) {
          heads.remove(cur == 0 ? k0 : k1);
        }
        return;
      }
      int target = cur == 0 ? 1 : 0;
      if (next != current) {
        byte[] record = EntryCodec.encode(next.withGeneration(nextGeneration.getAndIncrement()));
        step(Step.WRITING_NEW_SLOT, primaryHash);
        heads.put(target == 0 ? k0 : k1, record); // the commit point
        cur = target;
        step(Step.NEW_SLOT_WRITTEN, primaryHash);
      }
      // The superseded (or damaged) slot is no longer needed. The edit is done whatever happens
      // here: a slot left behind loses to the higher generation and goes at the next edit or start.
      try {
        if (cur != 0 && r0 != null) {
          heads.remove(k0);
        }
        if (cur != 1 && r1 != null) {
          heads.remove(k1);
        }
      } catch (RuntimeException e) {
        unsettled = true;
        listener.cleanupFailed(e);
      }
      step(Step.EDIT_DONE, primaryHash);
    } finally {
      l.unlockWrite(stamp);
    }
  }

  private void step(Step step, long primaryHash) {
    StepHook h = hook;
    if (h != null) {
      h.at(step, primaryHash);
    }
  }

  /** Installs (or, with null, removes) the crash-point test hook. */
  void hook(StepHook newHook) {
    this.hook = newHook;
  }

  private Group decodeLocked(long primaryHash, int slot, byte[] record) {
    if (record == null) {
      return null;
    }
    try {
      return EntryCodec.decode(record);
    } catch (CorruptRecordException e) {
      listener.corrupt("head record " + Long.toHexString(primaryHash) + " slot " + slot + ": " + e.getMessage());
      return null;
    }
  }

  // ------------------------------------------------------------------------------------ start-up

  /**
   * Start-up scan (single-threaded, before any other use): settles primaries that have records in
   * both slots (a write cut off by a crash between writing the new slot and removing the old one:
   * the valid record with the higher generation stays), drops undecodable records (reported), hands
   * every current group to {@code each}, and sets the generation counter past the largest one seen.
   */
  void scan(Consumer<Group> each) {
    Set<Long> pairs = new HashSet<>();
    List<Long> both = new ArrayList<>();
    heads.forEachEntry(e -> {
      long pair = e.key().get() >>> 1;
      if (!pairs.add(pair)) {
        both.add(pair);
      }
    });
    pairs.clear();
    for (long pair : both) {
      edit(pair, g -> g); // keeps the current slot, removes the other
    }
    List<Long> corrupt = new ArrayList<>();
    long[] maxGeneration = {0};
    heads.forEachEntry(e -> {
      long k = e.key().get();
      try {
        Group g = EntryCodec.decode(e.value().get());
        maxGeneration[0] = Math.max(maxGeneration[0], g.generation());
        each.accept(g);
      } catch (CorruptRecordException ex) {
        listener.corrupt("head record " + Long.toHexString(k >>> 1) + " slot " + (k & 1) + ": " + ex.getMessage());
        corrupt.add(k);
      }
    });
    for (long k : corrupt) {
      heads.remove(k);
    }
    nextGeneration.set(maxGeneration[0] + 1);
  }

  /** Number of records (slots in use) in the heads file. */
  long records() {
    return heads.longSize();
  }
}
