package dev.cachalot.policy;

/** Why a stale response may be served. */
public enum StaleReason {
    /** RFC 5861 §3 stale-while-revalidate: serve now, revalidate in the background. */
    WHILE_REVALIDATE("stale-while-revalidate"),
    /** RFC 5861 §4 stale-if-error: the origin failed. */
    IF_ERROR("stale-if-error"),
    /** RFC 9111 §5.2.1.2: the client accepts staleness with max-stale. */
    MAX_STALE("max-stale");

    private final String detail;

    StaleReason(String detail) {
        this.detail = detail;
    }

    /** The Cache-Status detail text. */
    public String detail() {
        return detail;
    }
}
