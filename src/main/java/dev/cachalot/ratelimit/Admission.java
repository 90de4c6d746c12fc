package dev.cachalot.ratelimit;

/** The limiter's answer for one request. */
public sealed interface Admission {
    /** Admitted; holds the tokens taken so an unused admission can be given back. */
    record Admitted(TokenBucket clientBucket, RateLimit clientLimit, TokenBucket routeBucket, RateLimit routeLimit)
            implements Admission {
        /** Admitted without taking any token (no limit applies). */
        static final Admitted FREE = new Admitted(null, null, null, null);
    }

    /**
     * Refused.
     *
     * @param scope             which limit refused
     * @param limit             that limit
     * @param subject           the client key or the route name the limit applies to
     * @param retryAfterSeconds seconds until a token is available, rounded up (at least 1)
     */
    record Limited(LimitScope scope, RateLimit limit, String subject, long retryAfterSeconds) implements Admission {}
}
