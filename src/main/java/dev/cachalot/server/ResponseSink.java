package dev.cachalot.server;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.ResponseHead;
import dev.cachalot.store.BodyFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * Where a {@link RequestProcessor} writes its answer. Exactly one response per request: either
 * {@link #sendComplete} (any thread, never blocks) or {@link #start} + writes + close (worker thread),
 * or {@link #sendError}. Hop-by-hop fields in the given head are removed by the sink (RFC 9110
 * §7.6.1); framing (Content-Length or chunked) is set by the sink from the length given.
 */
public interface ResponseSink {
    /**
     * Sends a fully known response from the given buffers without blocking and without a thread
     * hop: the cache's fresh-memory-hit fast path. The buffers are only read (duplicate them if
     * shared); direct buffers are written to the socket without copying.
     */
    void sendComplete(ResponseHead head, ByteBuffer... body);

    /**
     * Like {@link #sendComplete(ResponseHead, ByteBuffer...)} for a head sent many times: the sink
     * may encode {@code head} once and reuse that on later calls with the same object (the hit
     * path). The sink takes {@code body} over (it may move its position): pass a buffer of your own,
     * e.g. a duplicate of a shared one.
     */
    default void sendComplete(PreparedHead head, ByteBuffer body) {
        sendComplete(head.head(), body);
    }

    /**
     * Like {@link #sendComplete(PreparedHead, ByteBuffer)}, where the same bytes as {@code body} also
     * lie in {@code file} (a stored body in the disk tier's chunks file, valid until the entry is
     * released through {@link #releaseAfterResponse}): a sink that can send from the page cache
     * ({@code sendfile}) may use it and leave {@code body} unread, so the body's pages never enter
     * the process's memory. {@code file} may be null; the default ignores it.
     */
    default void sendComplete(PreparedHead head, ByteBuffer body, BodyFile file) {
        sendComplete(head, body);
    }

    /**
     * Sends the head and returns the stream for the body; closing the stream ends the response.
     * Blocking; worker thread only.
     *
     * @param contentLength body length, or -1 to send it chunked (HTTP/1.1) / delimited by close
     */
    OutputStream start(ResponseHead head, long contentLength) throws IOException;

    /** Sends the head and copies the body stream to the client in constant memory, then ends the response. */
    default long stream(ResponseHead head, InputStream body, long contentLength) throws IOException {
        long n = 0;
        try (OutputStream out = start(head, contentLength)) {
            byte[] buf = new byte[16 * 1024];
            int r;
            while ((r = body.read(buf)) != -1) {
                out.write(buf, 0, r);
                n += r;
            }
        }
        return n;
    }

    /**
     * Sends a head without a body, keeping the head's own Content-Length: for responses to HEAD and
     * for 1xx/204/304 (RFC 9110 §9.3.2, §8.6). Any thread.
     */
    void sendHeadOnly(ResponseHead head);

    /**
     * Sends a short plain-text error (status line, {@code text/plain} body with the message) if no
     * response has started; otherwise ends the connection abruptly so the client sees the failure.
     */
    void sendError(int status, String message);

    /**
     * Like {@link #sendError(int, String)}, with header fields the proxy itself adds to its own
     * answer (e.g. {@code Proxy-Authenticate} on a 407, RFC 9110 §11.7.1); they are not filtered as
     * hop-by-hop because they come from this hop. Implementations that cannot add fields send the
     * plain error.
     */
    default void sendError(int status, String message, HeaderFields own) {
        sendError(status, message);
    }

    /** True once a response head has been committed. */
    boolean isStarted();

    /** Records the cache outcome word (HIT, MISS, PASS ...) for the access log and metrics. */
    void outcome(String outcome);

    /** Records the time spent waiting for the origin's response head, in nanoseconds. */
    void originNanos(long nanos);

    /** Makes the connection close after this response (sent as Connection: close). */
    void closeConnection();

    /**
     * Closes {@code resource} once this exchange's response is done: written completely, failed, or
     * abandoned with the connection. The cache uses it to release its leases on stored bodies that a
     * response sends without copying (a buffer given to {@link #sendComplete} may still be written
     * after that call returns). Call it before sending. No default: every sink must say when its
     * response is done (a sink that ignored this kept every lease it was given, which is how the hit
     * shortcut once leaked disk-body leases); a sink that copies what it is given may close at once.
     */
    void releaseAfterResponse(AutoCloseable resource);
}
