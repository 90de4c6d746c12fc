package dev.cachalot.http;

import java.util.Objects;

/**
 * The head of a response: status code, reason phrase (informational only, RFC 9112 §4) and header
 * fields.
 */
public record ResponseHead(int status, String reason, HeaderFields headers) {
    public ResponseHead {
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("status code out of range: " + status);
        }
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(headers, "headers");
    }

    public ResponseHead(int status, HeaderFields headers) {
        this(status, StatusCodes.reason(status), headers);
    }

    public ResponseHead withHeaders(HeaderFields newHeaders) {
        return new ResponseHead(status, reason, newHeaders);
    }
}
