package dev.cachalot.policy;

/**
 * Why a response was not stored; {@link #detail} is the text used in Cache-Status
 * {@code detail} and in the debug log.
 */
public enum NotStoredReason {
    /** A route bypass rule matched. */
    BYPASS("bypass"),
    /** The request method is not one whose responses this cache stores (only GET). */
    METHOD("method"),
    /** 1xx interim or 304: never stored as a new response (RFC 9111 §3). */
    STATUS("status"),
    /** must-understand with a status code this cache does not implement (RFC 9111 §5.2.2.3). */
    STATUS_NOT_UNDERSTOOD("must-understand"),
    /** 206 partial content: this cache stores complete responses only (RFC 9111 §3.3 allows, we decline). */
    PARTIAL("partial"),
    /** The response said no-store (RFC 9111 §5.2.2.5). */
    NO_STORE("no-store"),
    /** The request said no-store (RFC 9111 §5.2.1.5). */
    REQUEST_NO_STORE("request no-store"),
    /** Unqualified private in a shared cache (RFC 9111 §5.2.2.7). */
    PRIVATE("private"),
    /** Request had Authorization and the response did not allow sharing (RFC 9111 §3.5). */
    AUTHORIZATION("authorization"),
    /** Vary: * can never be matched (RFC 9111 §4.1). */
    VARY_STAR("vary-star"),
    /** Set-Cookie under the configured {@link SetCookiePolicy}. */
    SET_COOKIE("set-cookie"),
    /** No explicit freshness, not heuristically cacheable, not public (RFC 9111 §3). */
    NOT_CACHEABLE("not-cacheable"),
    /** The body did not arrive completely (RFC 9111 §3.3). */
    INCOMPLETE("incomplete");

    private final String detail;

    NotStoredReason(String detail) {
        this.detail = detail;
    }

    /** The Cache-Status detail text: "not stored: &lt;reason&gt;". */
    public String detail() {
        return "not stored: " + detail;
    }
}
