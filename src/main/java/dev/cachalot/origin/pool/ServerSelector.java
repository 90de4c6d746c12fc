package dev.cachalot.origin.pool;

import java.util.function.Predicate;

/** Chooses one server of a tier (the primaries, or the backups) for a request. */
public interface ServerSelector {
    /**
     * The server for a request, among those {@code eligible} accepts.
     *
     * @param keyHash  the 64-bit hash of the request's cache key ({@link KeyHash}); ignored by
     *                 selectors for which {@link #usesKey()} is false
     * @param eligible which servers may be chosen now (available, not already tried)
     * @return the chosen server, or null when none is eligible
     */
    PoolMember pick(long keyHash, Predicate<PoolMember> eligible);

    /** True when the choice depends on the key (so the caller must compute its hash). */
    boolean usesKey();
}
