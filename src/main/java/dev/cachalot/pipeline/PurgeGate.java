package dev.cachalot.pipeline;

import dev.cachalot.policy.RouteOverrides;
import dev.cachalot.policy.StoredResponse;
import dev.cachalot.store.StoredEntry;

/**
 * The purge seam of the pipeline: purges recorded as bans (by tag, URL prefix or host, applied
 * lazily) are checked here against every looked-up entry, and a fill that was streaming while a
 * purge ran is checked again right after it commits (docs/operations.md, "Purge").
 *
 * <p>The pipeline does the I/O a verdict implies (removing an entry, writing the stale head);
 * the gate only decides. {@link #check} runs on every lookup, also on the I/O thread, so it must
 * never block and must cost nothing measurable when no purge is newer than the entry.
 */
public interface PurgeGate {
    /** A gate that never purges anything (no purge service). */
    PurgeGate NONE = new PurgeGate() {
        @Override
        public Verdict check(StoredEntry entry, StoredResponse view, RouteOverrides overrides) {
            return Verdict.KEEP;
        }

        @Override
        public Verdict checkCommitted(StoredEntry entry, StoredResponse view, RouteOverrides overrides) {
            return Verdict.KEEP;
        }

        @Override
        public FillTicket fillStarting() {
            return FillTicket.NONE;
        }
    };

    /** What a lookup must do with an entry. */
    sealed interface Verdict permits Verdict.Keep, Verdict.Remove, Verdict.Stale {
        /** The one {@link Keep} instance (no allocation on the hit path). */
        Verdict KEEP = new Keep();
        /** The one {@link Remove} instance. */
        Verdict REMOVE = new Remove();

        /** No purge covers the entry: use it as stored. */
        record Keep() implements Verdict {}

        /** A hard purge covers the entry: it is a miss, and removed. */
        record Remove() implements Verdict {}

        /**
         * A soft purge covers the entry: use {@code view} instead, the same response with its times
         * moved back so it expired when it was purged.
         */
        record Stale(StoredResponse view) implements Verdict {}
    }

    /** Checks a looked-up entry against the purges recorded since its request was sent. */
    Verdict check(StoredEntry entry, StoredResponse view, RouteOverrides overrides);

    /**
     * Checks an entry the pipeline has just committed against every purge made since its request
     * was sent, including purges by exact URL (which act on the store at once, so a response still
     * streaming from the origin when they ran would otherwise bring the old object back).
     */
    Verdict checkCommitted(StoredEntry entry, StoredResponse view, RouteOverrides overrides);

    /**
     * Registers an origin fetch that may store a response; called before its request time is
     * taken. The ticket is closed once the fetch has committed and been checked, or gave up. A
     * purge is only forgotten when no fetch that started before it is still open.
     */
    FillTicket fillStarting();

    /** An open fetch (see {@link #fillStarting}). */
    interface FillTicket extends AutoCloseable {
        /** A ticket that tracks nothing. */
        FillTicket NONE = () -> { };

        /** Ends the fetch; idempotent. */
        @Override
        void close();
    }
}
