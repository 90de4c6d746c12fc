package dev.cachalot.purge;

/**
 * What one purge did.
 *
 * @param target  the primary cache key that was purged (scheme://authority/path?query)
 * @param mode    hard (removed) or soft (marked stale)
 * @param purged  entries (variants) removed, or marked stale, including soft-purged ones that were
 *                already stale
 * @param failed  entries a soft purge could not mark (the store refused the head update); always 0
 *                for a hard purge
 */
public record PurgeResult(String target, PurgeMode mode, int purged, int failed) {
}
