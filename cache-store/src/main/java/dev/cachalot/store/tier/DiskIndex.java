package dev.cachalot.store.tier;

import java.util.Arrays;
import java.util.Random;

/**
 * The disk tier's compact on-heap index: per stored variant, its key hash, primary hash, body
 * size, retain-until second, last access second and a small aged hit counter.
 *
 * <p>It holds no key or body bytes, so its cost per entry is constant (parallel primitive arrays,
 * 38 bytes per slot, open addressing with linear probing, at most 60% full: about 63-127 bytes per
 * entry) whatever the body size. It also remembers whether a body was verified in this process. It drives the byte/entry totals, sampled eviction (approximately LRU/LFU), the
 * expiry sweep and promotion counts. Rebuilt from the heads file at start-up. Thread-safe
 * (one monitor; every operation is O(1) except sweeps and rehash).
 */
final class DiskIndex {
  private static final int MIN_CAPACITY = 1024;
  private static final int MAX_FREQ = 127;
  /** Random slot draws per eviction sample before falling back to a forward scan. */
  private static final int MAX_PROBES = 64;

  private long[] keys;
  private long[] primaries;
  private long[] sizes;
  private long[] retainUntil;
  private int[] access;
  private byte[] freq;
  private boolean[] verified;
  private int count;
  private long bytes;
  private long touchesSinceAging;

  DiskIndex(long expectedEntries) {
    int cap = MIN_CAPACITY;
    while (cap < expectedEntries * 2 && cap < (1 << 30)) {
      cap <<= 1;
    }
    allocate(Math.min(cap, 1 << 20));
  }

  private void allocate(int cap) {
    keys = new long[cap];
    primaries = new long[cap];
    sizes = new long[cap];
    retainUntil = new long[cap];
    access = new int[cap];
    freq = new byte[cap];
    verified = new boolean[cap];
  }

  /** Key hash 0 marks an empty slot, so a real 0 is stored as 1 (a harmless extra collision). */
  private static long slotKey(long keyHash) {
    return keyHash == 0 ? 1 : keyHash;
  }

  private int find(long k) {
    int mask = keys.length - 1;
    int i = (int) (mix(k) & mask);
    while (true) {
      long s = keys[i];
      if (s == k) {
        return i;
      }
      if (s == 0) {
        return -1 - i;
      }
      i = (i + 1) & mask;
    }
  }

  private static long mix(long k) {
    k ^= k >>> 29;
    return k * 0xbf58476d1ce4e5b9L;
  }

  /**
   * Adds or updates a variant (a commit, or the start-up scan). Resets its hit count.
   * {@code verified} says whether its body is known good in this process (written by it).
   */
  synchronized void put(long keyHash, long primaryHash, long size, long retainUntilSec, int nowSec,
      boolean bodyVerified) {
    long k = slotKey(keyHash);
    int i = find(k);
    if (i >= 0) {
      bytes += size - sizes[i];
    } else {
      if ((count + 1) * 10L > keys.length * 6L) {
        rehash(keys.length * 2);
        i = find(k);
      }
      i = -1 - i;
      keys[i] = k;
      count++;
      bytes += size;
    }
    primaries[i] = primaryHash;
    sizes[i] = size;
    retainUntil[i] = retainUntilSec;
    access[i] = nowSec;
    freq[i] = 0;
    verified[i] = bodyVerified;
  }

  /** Records that the variant's body passed its checksum. */
  synchronized void markVerified(long keyHash) {
    int i = find(slotKey(keyHash));
    if (i >= 0) {
      verified[i] = true;
    }
  }

  /** Updates the retain-until second of a variant (a head replacement). */
  synchronized void retain(long keyHash, long retainUntilSec) {
    int i = find(slotKey(keyHash));
    if (i >= 0) {
      retainUntil[i] = retainUntilSec;
    }
  }

  /**
   * Records a hit; returns the variant's aged hit count, or -1 when it is not indexed, plus
   * {@link #VERIFIED_FLAG} when its body was written or verified by this process (one lock
   * round trip on the lookup path instead of two).
   */
  synchronized int touchAndVerified(long keyHash, int nowSec) {
    int i = find(slotKey(keyHash));
    if (i < 0) {
      return -1;
    }
    return touch(i, nowSec) | (verified[i] ? VERIFIED_FLAG : 0);
  }

  /** Flag in the result of {@link #touchAndVerified}. */
  static final int VERIFIED_FLAG = 1 << 16;

  /** Records a hit; returns the variant's aged hit count, or -1 when it is not indexed. */
  synchronized int touch(long keyHash, int nowSec) {
    int i = find(slotKey(keyHash));
    if (i < 0) {
      return -1;
    }
    return touch(i, nowSec);
  }

  private int touch(int i, int nowSec) {
    access[i] = nowSec;
    if (freq[i] < MAX_FREQ) {
      freq[i]++;
    }
    if (++touchesSinceAging > 10L * Math.max(count, 64)) {
      age();
    }
    return freq[i];
  }

  /** A variant's aged hit count, or -1 when it is not indexed. */
  synchronized int hits(long keyHash) {
    int i = find(slotKey(keyHash));
    return i < 0 ? -1 : freq[i];
  }

  /** Sets a variant's hit count back to zero (after promotion, so it must earn the next one). */
  synchronized void resetHits(long keyHash) {
    int i = find(slotKey(keyHash));
    if (i >= 0) {
      freq[i] = 0;
    }
  }

  /** Removes a variant; returns true if it was indexed. */
  synchronized boolean remove(long keyHash) {
    int i = find(slotKey(keyHash));
    if (i < 0) {
      return false;
    }
    bytes -= sizes[i];
    count--;
    // Backward-shift deletion keeps linear-probing chains intact without tombstones.
    int mask = keys.length - 1;
    int hole = i;
    int j = i;
    while (true) {
      j = (j + 1) & mask;
      long s = keys[j];
      if (s == 0) {
        break;
      }
      int home = (int) (mix(s) & mask);
      boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
      if (movable) {
        copy(j, hole);
        hole = j;
      }
    }
    keys[hole] = 0;
    return true;
  }

  private void copy(int from, int to) {
    keys[to] = keys[from];
    primaries[to] = primaries[from];
    sizes[to] = sizes[from];
    retainUntil[to] = retainUntil[from];
    access[to] = access[from];
    freq[to] = freq[from];
    verified[to] = verified[from];
  }

  /** Entries indexed. */
  synchronized int count() {
    return count;
  }

  /** Body bytes indexed. */
  synchronized long bytes() {
    return bytes;
  }

  /** A chosen eviction victim: its key hash and primary hash. */
  record Victim(long keyHash, long primaryHash) {}

  /**
   * Picks an eviction victim among {@code samples} random entries: the one with the fewest recent
   * hits, ties broken by the oldest access (sampled LFU/LRU, as in Redis' approximated LRU).
   *
   * <p>Each sample is (nearly) uniform over the stored entries: random slots are drawn until one is
   * occupied. Scanning forward from one random slot instead would pick an entry with probability
   * proportional to the run of empty slots before it, so the few entries behind long gaps would be
   * sampled again and again and hot ones among them evicted far more often than the LFU rule says.
   * Only if {@link #MAX_PROBES} draws all miss (a table left very sparse by removals) does the
   * sample fall back to that forward scan, so a sample stays O(1).
   */
  synchronized Victim sampleVictim(Random random, int samples) {
    if (count == 0) {
      return null;
    }
    int mask = keys.length - 1;
    int best = -1;
    for (int n = 0; n < samples; n++) {
      int i = random.nextInt(keys.length);
      for (int probe = 1; keys[i] == 0 && probe < MAX_PROBES; probe++) {
        i = random.nextInt(keys.length);
      }
      while (keys[i] == 0) {
        i = (i + 1) & mask;
      }
      if (best < 0 || freq[i] < freq[best] || (freq[i] == freq[best] && access[i] < access[best])) {
        best = i;
      }
    }
    return new Victim(keys[best], primaries[best]);
  }

  /** Up to {@code max} variants whose retain-until second is at or before {@code nowSec}. */
  synchronized Victim[] expired(long nowSec, int max) {
    Victim[] out = new Victim[Math.min(max, count)];
    int n = 0;
    for (int i = 0; i < keys.length && n < out.length; i++) {
      if (keys[i] != 0 && retainUntil[i] <= nowSec) {
        out[n++] = new Victim(keys[i], primaries[i]);
      }
    }
    return Arrays.copyOf(out, n);
  }

  /** Heap bytes held by the index arrays (for the per-entry measurement). */
  synchronized long heapBytes() {
    return (long) keys.length * (8 + 8 + 8 + 8 + 4 + 1 + 1);
  }

  private void age() {
    touchesSinceAging = 0;
    for (int i = 0; i < freq.length; i++) {
      freq[i] = (byte) (freq[i] >> 1);
    }
  }

  private void rehash(int newCap) {
    long[] oldKeys = keys;
    long[] oldPrimaries = primaries;
    long[] oldSizes = sizes;
    long[] oldRetain = retainUntil;
    int[] oldAccess = access;
    byte[] oldFreq = freq;
    boolean[] oldVerified = verified;
    allocate(newCap);
    for (int j = 0; j < oldKeys.length; j++) {
      if (oldKeys[j] != 0) {
        int i = -1 - find(oldKeys[j]);
        keys[i] = oldKeys[j];
        primaries[i] = oldPrimaries[j];
        sizes[i] = oldSizes[j];
        retainUntil[i] = oldRetain[j];
        access[i] = oldAccess[j];
        freq[i] = oldFreq[j];
        verified[i] = oldVerified[j];
      }
    }
  }
}
