package dev.cachalot.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The storage SPI the proxy uses: keys, entries, bytes, compare-and-swap, capacity, retention.
 *
 * <p>Storage is dumb: it never decides freshness. The only time rule it applies is retention: an
 * entry whose {@link EntryHead#retainUntil()} is not after {@code now} is not returned and may be
 * swept. No method throws into a request: any tier failure is reported as a miss / a declined
 * write / {@link ReplaceOutcome#FAILED}, and is counted in {@link #stats()} and logged. All
 * methods are thread-safe.
 */
public interface CacheStore extends AutoCloseable {

  /** The entry stored under {@code key} (exact primary and variant) that is retained at {@code now}. */
  Optional<StoredEntry> lookup(StoreKey key, Instant now);

  /**
   * {@link #lookup} returning the entry or null: the same entry, without an {@code Optional} per
   * lookup (the hit path looks up on every request).
   */
  default StoredEntry get(StoreKey key, Instant now) {
    return lookup(key, now).orElse(null);
  }

  /**
   * The keys of all variants stored under the primary part of {@code key} (its variant part is
   * ignored), in no particular order. May include a variant whose entry expired but was not yet
   * swept; a lookup of it then misses.
   */
  List<StoreKey> listVariants(StoreKey key);

  /**
   * Begins writing an entry under {@code key}.
   *
   * @param expectedLength the body length if known (Content-Length), or -1; a known length over
   *     the maximum object size declines the write at once, and a body that ends up with another
   *     length is not committed
   */
  EntryWriter beginWrite(StoreKey key, EntryHead head, long expectedLength, Instant now);

  /**
   * Replaces the head of the entry under {@code key} if it still has {@code expectedEntryId} and
   * {@code expectedHeadVersion} (as read from a lookup); the body is kept. Used when a 304 updates
   * the stored header fields and times (RFC 9111 §4.3.4).
   */
  ReplaceOutcome replaceHead(
      StoreKey key, long expectedEntryId, int expectedHeadVersion, EntryHead newHead, Instant now);

  /** Convenience: {@link #replaceHead} with the identity of a looked-up entry. */
  default ReplaceOutcome replaceHead(StoredEntry expected, EntryHead newHead, Instant now) {
    return replaceHead(expected.key(), expected.entryId(), expected.headVersion(), newHead, now);
  }

  /** Removes the entry under {@code key} (exact variant). Returns true if one was removed. */
  boolean remove(StoreKey key);

  /**
   * Removes every variant under the primary part of {@code key} (e.g. invalidation after an unsafe
   * method, RFC 9111 §4.4). Returns the number of entries removed.
   */
  int removeAll(StoreKey key);

  /**
   * Visits the stored entries retained at {@code now} (heads and identities; bodies are read only
   * if the visitor opens them), for purge sweeps and key listings. Weakly consistent: entries
   * written or removed while it runs may or may not be seen, and an entry held by two tiers may be
   * visited once per tier. The store holds no lock while the visitor runs, so the visitor may call
   * any store method. Never throws: a tier failure ends that tier's part of the walk (counted and
   * logged).
   *
   * @param visitor called once per entry; returning false stops the walk
   * @return false when the visitor stopped the walk, true otherwise
   */
  boolean forEachEntry(Instant now, Predicate<? super StoredEntry> visitor);

  /** A snapshot of the counters and sizes. */
  StoreStats stats();

  /** Flushes and closes the tiers; later calls miss. Never throws. */
  @Override
  void close();
}
