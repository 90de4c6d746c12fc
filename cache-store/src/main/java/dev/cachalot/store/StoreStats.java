package dev.cachalot.store;

/**
 * A snapshot of the store's counters.
 *
 * @param memory the memory tier
 * @param disk the disk tier ({@link TierStats#EMPTY} when disabled)
 * @param hits lookups answered by either tier
 * @param misses lookups answered by neither
 * @param promotions disk entries copied into the memory tier after repeated hits
 * @param commits writes committed (to at least one tier)
 * @param memoryOnlyCommits of those, commits kept only in memory because the disk tier failed or
 *     had no room ({@link WriteOutcome#COMMITTED_MEMORY_ONLY})
 * @param declinedWrites writes that stored nothing (too large, no space, failed, aborted)
 */
public record StoreStats(
    TierStats memory,
    TierStats disk,
    long hits,
    long misses,
    long promotions,
    long commits,
    long memoryOnlyCommits,
    long declinedWrites) {}
