package dev.cachalot.policy;

/** The one-word outcome for the short status header (X-Cache-Status), logs and metrics. */
public enum ShortStatus {
    /** Served from the cache, fresh, without contacting the origin. */
    HIT,
    /** Fetched from the origin (miss, or a validation answered with a full response). */
    MISS,
    /** The origin answered a validation with 304 and the stored body was served. */
    REVALIDATED,
    /** A stale stored response was served (stale-while-revalidate, stale-if-error, max-stale). */
    STALE,
    /** The cache was not used for this request (route bypass or a method it does not cache). */
    BYPASS
}
