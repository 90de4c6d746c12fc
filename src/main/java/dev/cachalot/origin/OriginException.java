package dev.cachalot.origin;

import java.io.IOException;

/** An origin exchange that failed, with the kind of failure the client answer is built from. */
public final class OriginException extends IOException {
    private static final long serialVersionUID = 1L;

    /** What went wrong, each with the status a proxy answers it with (RFC 9110 §15.6.3, §15.6.5). */
    public enum Kind {
        /** The origin refused the TCP connection (nothing listening). 502. */
        CONNECT_REFUSED(502, "origin refused the connection"),
        /** The TCP (or TLS) connection was not established in time. 504. */
        CONNECT_TIMEOUT(504, "timed out connecting to origin"),
        /** The origin host name did not resolve. 502. */
        UNKNOWN_HOST(502, "origin host name did not resolve"),
        /** TLS to the origin failed (handshake, certificate). 502. */
        TLS(502, "TLS handshake with origin failed"),
        /** The origin did not answer (or stalled mid-body) within the response timeout. 504. */
        RESPONSE_TIMEOUT(504, "origin response timed out"),
        /** The origin closed or reset the connection before a complete response. 502. */
        RESET(502, "origin closed or reset the connection"),
        /** The origin sent something that is not a valid HTTP response. 502. */
        INVALID_RESPONSE(502, "origin sent an invalid response"),
        /** No pooled connection became free in time (all in use). 503. */
        POOL_EXHAUSTED(503, "all origin connections busy"),
        /** Reading the client's request body failed, so the request could not be completed. 400. */
        CLIENT_BODY(400, "request body could not be read from the client"),
        /**
         * Every server of the route's origin pool is down (failed health checks) or ejected, so no
         * connection was attempted. 503 with Retry-After; for stale-if-error it counts as a failure
         * to reach the origin, like a refused connection (RFC 5861 §4).
         */
        NO_HEALTHY_SERVER(503, "no healthy origin server: every server of this route is down or ejected");

        private final int status;
        private final String message;

        Kind(int status, String message) {
            this.status = status;
            this.message = message;
        }

        /** The status code the client gets for this failure. */
        public int status() {
            return status;
        }

        /** A short human-readable description, used as the response body. */
        public String message() {
            return message;
        }
    }

    private final Kind kind;
    /** When the client may try again, or null when the failure says nothing about it. */
    private final java.time.Duration retryAfter;

    public OriginException(Kind kind, String detail, Throwable cause) {
        this(kind, detail, cause, null);
    }

    /** A failure with a hint when the origin may be back ({@code Retry-After}, RFC 9110 §10.2.3). */
    public OriginException(Kind kind, String detail, Throwable cause, java.time.Duration retryAfter) {
        super(kind.message() + (detail == null || detail.isEmpty() ? "" : ": " + detail), cause);
        this.kind = kind;
        this.retryAfter = retryAfter;
    }

    public Kind kind() {
        return kind;
    }

    /**
     * Header fields the proxy's own error answer for this failure carries: {@code Retry-After} in
     * whole seconds (at least 1) when the failure knows when the origin may be back, else none.
     */
    public dev.cachalot.http.HeaderFields responseFields() {
        if (retryAfter == null) {
            return dev.cachalot.http.HeaderFields.empty();
        }
        long s = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
        return dev.cachalot.http.HeaderFields.of("Retry-After", Long.toString(s));
    }
}
