package dev.cachalot.conformance.origin;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What the scripted origin sends for one request: a status, header fields and a body, plus the knobs a
 * conformance test needs to misbehave on purpose (no Date, chunked coding, exact raw bytes, stalls, slow
 * streaming, truncated bodies, dropped connections).
 */
public final class Reply {
    int status = 200;
    String reason;
    final List<String[]> headers = new ArrayList<>();
    byte[] body = new byte[0];
    boolean date = true;
    boolean chunked;
    boolean close;
    byte[] raw;
    long delayMs;
    int streamChunk;
    long streamIntervalMs;
    int truncateAfter = -1;
    boolean noContentLength;
    boolean dropWithoutResponse;

    private Reply(int status) {
        this.status = status;
    }

    /** A 200 reply with an optional Cache-Control value (null for none) and a small text body. */
    public static Reply ok(String cacheControl) {
        Reply r = new Reply(200).body("ok");
        if (cacheControl != null) {
            r.header("Cache-Control", cacheControl);
        }
        return r;
    }

    /** A reply with the given status and no header fields except Date. */
    public static Reply status(int status) {
        return new Reply(status);
    }

    /** A reply made of exactly these bytes, written as they are; the connection is closed afterwards. */
    public static Reply raw(String bytes) {
        Reply r = new Reply(0);
        r.raw = bytes.getBytes(StandardCharsets.ISO_8859_1);
        return r;
    }

    /** The origin closes the connection without sending anything. */
    public static Reply drop() {
        Reply r = new Reply(0);
        r.dropWithoutResponse = true;
        return r;
    }

    public Reply reason(String text) {
        this.reason = text;
        return this;
    }

    /** Adds a header field (repeatable; order kept). */
    public Reply header(String name, String value) {
        headers.add(new String[] {name, value});
        return this;
    }

    /** Removes every field with that name. */
    public Reply without(String name) {
        headers.removeIf(h -> h[0].equalsIgnoreCase(name));
        return this;
    }

    public Reply body(String text) {
        this.body = text.getBytes(StandardCharsets.UTF_8);
        return this;
    }

    public Reply body(byte[] bytes) {
        this.body = bytes.clone();
        return this;
    }

    /** Sends no Date header field (RFC 9110 §6.6.1 lets an origin without a clock omit it). */
    public Reply noDate() {
        this.date = false;
        return this;
    }

    /** Uses the chunked transfer coding (Content-Length framing for HTTP/1.0 requests, RFC 9112 §6.1). */
    public Reply chunked() {
        this.chunked = true;
        return this;
    }

    /** Neither Content-Length nor chunked: the body ends when the connection closes. */
    public Reply closeDelimited() {
        this.noContentLength = true;
        this.close = true;
        return this;
    }

    /** Closes the connection after this reply. */
    public Reply close() {
        this.close = true;
        return this;
    }

    /** Waits before sending the status line. */
    public Reply delay(long ms) {
        this.delayMs = ms;
        return this;
    }

    /** Streams the body in chunks of {@code bytes}, pausing {@code intervalMs} between them. */
    public Reply slow(int bytes, long intervalMs) {
        this.streamChunk = bytes;
        this.streamIntervalMs = intervalMs;
        return this;
    }

    /** Announces the full body length but sends only {@code n} body bytes, then closes the connection. */
    public Reply truncateAfter(int n) {
        this.truncateAfter = n;
        this.close = true;
        return this;
    }

    public int statusCode() {
        return status;
    }

    /** Whether the reply already sets the named header field. */
    public boolean has(String name) {
        return headers.stream().anyMatch(h -> h[0].equalsIgnoreCase(name));
    }
}
