package dev.cachalot.conformance.dsl;

/** Result of one test against one cache. */
public enum Outcome {
    /** The cache behaved as the requirement says. */
    PASS,
    /** The cache did not behave as the requirement says (the reason says how). */
    FAIL,
    /** The test's precondition did not hold (e.g. the cache never stored the response), so nothing was judged. */
    INCONCLUSIVE,
    /** The cache does not claim the capability the test needs (forward proxy, purge, persistence...). */
    NOT_APPLICABLE
}
