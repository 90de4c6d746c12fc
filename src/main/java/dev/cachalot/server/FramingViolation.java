package dev.cachalot.server;

/**
 * Why a request's framing was refused, with the status it is answered with. Every one of these
 * ends the connection (RFC 9112 §6.3: after a framing error the message boundaries are unknown).
 */
public enum FramingViolation {
    /** RFC 9112 §3: the request line is not method SP request-target SP HTTP-version. */
    BAD_REQUEST_LINE(400, "malformed request line"),
    /** RFC 9112 §2.2: empty line before the request line (a SHOULD-ignore that Undertow cannot ignore). */
    EMPTY_LINE_BEFORE_REQUEST(400, "empty line before the request line"),
    /** RFC 9112 §3: request line longer than configured. */
    REQUEST_LINE_TOO_LONG(414, "request line too long"),
    /** RFC 9112 §2.6: only HTTP/1.0 and HTTP/1.1 are spoken on this listener. */
    UNSUPPORTED_VERSION(505, "HTTP version not supported"),
    /** RFC 9110 §5.1: field name is not a token. */
    BAD_FIELD_NAME(400, "invalid header field name"),
    /** RFC 9112 §5.1: no whitespace is allowed between the field name and the colon. */
    WHITESPACE_BEFORE_COLON(400, "whitespace between header field name and colon"),
    /** RFC 9112 §5.2: obsolete line folding is rejected. */
    OBS_FOLD(400, "obsolete line folding in header section"),
    /** RFC 9110 §5.5: CR, LF and NUL (and other controls) are not allowed in a field value. */
    BAD_FIELD_VALUE(400, "control character (CR, LF, NUL ...) in header field value"),
    /** RFC 9112 §2.2: a CR not followed by LF. */
    BARE_CR(400, "bare CR in message"),
    /** RFC 9112 §2.2: a line ended by LF without CR (strictness: refused). */
    BARE_LF(400, "line ended by LF without CR"),
    /** Header section larger than configured, or too many field lines. */
    HEADERS_TOO_LARGE(431, "request header section too large"),
    /** RFC 9112 §3.2: HTTP/1.1 requests carry exactly one valid Host. */
    MISSING_HOST(400, "missing Host header field"),
    /** RFC 9112 §3.2: more than one Host field line. */
    DUPLICATE_HOST(400, "more than one Host header field"),
    /** RFC 9112 §3.2 / RFC 3986 §3.2.2: Host is not uri-host [":" port]. */
    INVALID_HOST(400, "invalid Host header field"),
    /** RFC 9112 §6.3: Content-Length together with Transfer-Encoding. */
    CONTENT_LENGTH_AND_TRANSFER_ENCODING(400, "both Content-Length and Transfer-Encoding"),
    /** RFC 9112 §6.3: more than one Content-Length. */
    DUPLICATE_CONTENT_LENGTH(400, "more than one Content-Length"),
    /** RFC 9110 §8.6: Content-Length is not 1*DIGIT. */
    INVALID_CONTENT_LENGTH(400, "invalid Content-Length"),
    /** RFC 9112 §6.3: Transfer-Encoding whose final coding is not chunked. */
    TRANSFER_ENCODING_NOT_CHUNKED(400, "Transfer-Encoding must end with chunked"),
    /** RFC 9112 §6.1: a transfer coding this proxy does not implement. */
    UNSUPPORTED_TRANSFER_CODING(501, "unsupported transfer coding"),
    /** RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 request. */
    TRANSFER_ENCODING_IN_HTTP10(400, "Transfer-Encoding in an HTTP/1.0 request"),
    /** RFC 9112 §7.1: chunk-size is not 1*HEXDIG, too large, or the chunk is not followed by CRLF. */
    INVALID_CHUNK(400, "invalid chunked encoding"),
    /** Configurable: GET or HEAD with a request body (RFC 9110 §9.3.1 gives it no meaning). */
    BODY_ON_GET_OR_HEAD(400, "GET or HEAD request with a body"),
    /** RFC 9110 §9.3.6: a CONNECT request has no content (forward-proxy listener). */
    CONNECT_WITH_CONTENT(400, "CONNECT request with content"),
    /** Request body larger than configured. */
    BODY_TOO_LARGE(413, "request body too large");

    private final int status;
    private final String message;

    FramingViolation(int status, String message) {
        this.status = status;
        this.message = message;
    }

    public int status() {
        return status;
    }

    public String message() {
        return message;
    }
}
