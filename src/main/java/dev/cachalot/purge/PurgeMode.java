package dev.cachalot.purge;

/** How a purge treats the entries it selects. */
public enum PurgeMode {
    /** Remove every selected entry: the next request is a miss. */
    HARD,
    /**
     * Keep every selected entry but make it stale as of the purge instant: the next request
     * revalidates it with the origin (a conditional request), and it can still be served where
     * stale-if-error / stale-while-revalidate allow (RFC 5861).
     */
    SOFT;

    /** The mode for the {@code soft} flag of the API. */
    public static PurgeMode of(boolean soft) {
        return soft ? SOFT : HARD;
    }
}
