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
        CLIENT_BODY(400, "request body could not be read from the client");

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

    public OriginException(Kind kind, String detail, Throwable cause) {
        super(kind.message() + (detail == null || detail.isEmpty() ? "" : ": " + detail), cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
