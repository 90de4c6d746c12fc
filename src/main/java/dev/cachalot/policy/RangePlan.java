package dev.cachalot.policy;

import java.util.List;

/** How to answer a Range request from a stored full response ({@link RangePlanner}). */
public sealed interface RangePlan {

    /** Send the whole representation with 200 (no Range, Range ignored, or If-Range false). */
    record Full(String reason) implements RangePlan {}

    /**
     * Send one part with 206 (RFC 9110 §15.3.7.1).
     *
     * @param contentRange the Content-Range value, e.g. {@code bytes 0-499/1234}
     */
    record Single(long offset, long length, String contentRange) implements RangePlan {}

    /**
     * Send several parts as multipart/byteranges with 206 (RFC 9110 §14.6, §15.3.7.2). The body is
     * {@code part[0].head, body[off0, len0], part[1].head, body[...], ..., trailer}; each head already
     * includes the CRLF that ends the previous part.
     *
     * @param contentType   {@code multipart/byteranges; boundary=...}
     * @param contentLength the exact body length
     */
    record Multipart(String boundary, String contentType, List<Part> parts, String trailer, long contentLength)
            implements RangePlan {
        public Multipart {
            parts = List.copyOf(parts);
        }
    }

    /** One part of a multipart/byteranges body: its delimiter and header block, and the slice to send. */
    record Part(String head, long offset, long length) {}

    /** 416 Range Not Satisfiable (RFC 9110 §15.5.17) with {@code Content-Range: bytes *&#47;length}. */
    record Unsatisfiable(String contentRange) implements RangePlan {}
}
