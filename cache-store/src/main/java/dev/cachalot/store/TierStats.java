package dev.cachalot.store;

/**
 * Counters and sizes of one tier (all counters since start).
 *
 * @param entries entries currently stored
 * @param bytes body bytes currently stored
 * @param hits lookups answered by this tier
 * @param misses lookups this tier could not answer (including failures and corrupt entries)
 * @param writes entries committed to this tier
 * @param declined writes this tier refused (too large, no space, not admitted)
 * @param evictions entries removed to make room
 * @param expirations entries removed because their retain-until passed
 * @param corruptions entries dropped because a checksum or decode check failed
 * @param failures unexpected tier errors turned into misses or declined writes
 * @param reclaimed orphan pieces (chunks of writes cut off by a crash or abort) reclaimed
 */
public record TierStats(
    long entries,
    long bytes,
    long hits,
    long misses,
    long writes,
    long declined,
    long evictions,
    long expirations,
    long corruptions,
    long failures,
    long reclaimed) {

  /** All zeros (for an absent tier). */
  public static final TierStats EMPTY = new TierStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
