package dev.cachalot.policy;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.ResponseHead;

import java.time.Instant;
import java.util.Objects;

/**
 * The policy's view of one stored response (a variant of a URL), independent of the storage
 * module: the pipeline maps store entries to this.
 *
 * @param requestTime      when the cache sent the request that produced it (RFC 9111 §4.2.3 request_time)
 * @param responseTime     when the cache received the response (RFC 9111 §4.2.3 response_time)
 * @param head             the stored response head (as stored: storage-excluded fields removed)
 * @param selectingHeaders the stored request's values of the fields named in the response's Vary
 *                         (as received; {@link VaryNormalizer} normalises them when comparing)
 * @param bodyLength       the stored content length in bytes
 */
public record StoredResponse(Instant requestTime, Instant responseTime, ResponseHead head,
                             HeaderFields selectingHeaders, long bodyLength) {
    public StoredResponse {
        Objects.requireNonNull(requestTime, "requestTime");
        Objects.requireNonNull(responseTime, "responseTime");
        Objects.requireNonNull(head, "head");
        Objects.requireNonNull(selectingHeaders, "selectingHeaders");
        if (bodyLength < 0) {
            throw new IllegalArgumentException("bodyLength must not be negative: " + bodyLength);
        }
    }

    /** The stored ETag, or null when absent or malformed. */
    public EntityTag etag() {
        return EntityTag.parse(head.headers().first("ETag")).orElse(null);
    }

    /** The stored Last-Modified, or null. */
    public Instant lastModified() {
        return dev.cachalot.http.HttpDates.parse(head.headers().first("Last-Modified")).orElse(null);
    }

    /** The stored Date, or null. */
    public Instant date() {
        return dev.cachalot.http.HttpDates.parse(head.headers().first("Date")).orElse(null);
    }

    /** A copy with another head (after a 304 or HEAD update) and new request/response times. */
    public StoredResponse updated(ResponseHead newHead, Instant newRequestTime, Instant newResponseTime) {
        return new StoredResponse(newRequestTime, newResponseTime, newHead, selectingHeaders, bodyLength);
    }
}
