package dev.cachalot.policy;

/**
 * How the origin failed while the cache needed it.
 *
 * @param kind   the failure class
 * @param status the response status for {@link Kind#STATUS}, else 0
 */
public record OriginFailure(Kind kind, int status) {
    /** The failure classes RFC 5861 §4 counts as errors. */
    public enum Kind {
        /** The connection could not be made or broke. */
        CONNECT_ERROR,
        /** The origin did not answer in time. */
        TIMEOUT,
        /** The origin answered with an error status. */
        STATUS
    }

    public static OriginFailure connectError() {
        return new OriginFailure(Kind.CONNECT_ERROR, 0);
    }

    public static OriginFailure timeout() {
        return new OriginFailure(Kind.TIMEOUT, 0);
    }

    public static OriginFailure status(int status) {
        return new OriginFailure(Kind.STATUS, status);
    }

    /**
     * True when this is an error for stale-if-error: RFC 5861 §4 names "500, 502, 503, or 504" and
     * failures to reach the origin; other status codes (e.g. 501) are ordinary answers.
     */
    public boolean isError() {
        return kind != Kind.STATUS || status == 500 || status == 502 || status == 503 || status == 504;
    }
}
