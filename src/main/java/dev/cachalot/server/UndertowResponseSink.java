package dev.cachalot.server;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.ResponseHead;
import dev.cachalot.origin.ProxyHeaders;
import dev.cachalot.store.BodyFile;
import io.undertow.io.IoCallback;
import io.undertow.io.Sender;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderMap;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.xnio.IoUtils;

/** The {@link ResponseSink} on an Undertow exchange; the only class that writes client responses. */
final class UndertowResponseSink implements ResponseSink {
    private final HttpServerExchange exchange;
    private final ClientBody body;
    volatile long bytesOut;
    volatile String outcome = "PASS";
    volatile long originNanos = -1;
    private volatile boolean started;

    private final long retryAfterSeconds;

    UndertowResponseSink(HttpServerExchange exchange, ClientBody body, long retryAfterSeconds) {
        this.exchange = exchange;
        this.body = body;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    @Override
    public void sendComplete(ResponseHead head, ByteBuffer... buffers) {
        long total = 0;
        ByteBuffer[] copies = new ByteBuffer[buffers.length];
        for (int i = 0; i < buffers.length; i++) {
            copies[i] = buffers[i].duplicate();
            total += copies[i].remaining();
        }
        writeHead(head, total);
        bytesOut = total;
        Sender sender = exchange.getResponseSender();
        if (copies.length == 0) {
            exchange.endExchange();
        } else {
            sender.send(copies, IoCallback.END_EXCHANGE);
        }
    }

    /**
     * The hit path: the Undertow form of the head's template (hop-by-hop fields removed, names as
     * {@link HttpString}, Content-Length as text) is built on the first send of the template and
     * reused by every later one; only the varying values (Age, our Cache-Status entry, an added
     * Date) are made per request. The body buffer is handed to Undertow as it is (one gathering
     * write with the head).
     */
    @Override
    public void sendComplete(PreparedHead head, ByteBuffer body) {
        sendComplete(head, body, null);
    }

    /**
     * As {@link #sendComplete(PreparedHead, ByteBuffer)}; a body larger than
     * {@link AnswerBuffer#BODY_COPY_MAX} that lies in {@code file} is read from the file
     * ({@code pread}, into a buffer of this response; at most one chunk of the store) instead of
     * through {@code body}, a view of the store's mapping whose pages would then count in the
     * process's RSS. (This is the path of hits the shortcut does not answer, TLS and HTTP/2 among
     * them; the plain HTTP/1.1 shortcut reads or sendfiles without a buffer of its own.)
     */
    @Override
    public void sendComplete(PreparedHead head, ByteBuffer body, BodyFile file) {
        long length = body.remaining();
        Encoded e = Encoded.of(head.template(), length);
        started = true;
        prepare();
        exchange.setStatusCode(e.status);
        if (e.reason != null) {
            exchange.setReasonPhrase(e.reason);
        }
        HeaderMap map = exchange.getResponseHeaders();
        HttpString[] names = e.names;
        String[] values = e.values;
        PreparedHead.Hole[] holes = e.holes;
        for (int i = 0; i < names.length; i++) {
            map.add(names[i], holes[i] == null ? values[i] : head.text(holes[i]));
        }
        bytesOut = length;
        if (file != null && file.length() == length && length > AnswerBuffer.BODY_COPY_MAX) {
            ByteBuffer read = readFile(file);
            if (read == null) {
                IoUtils.safeClose(exchange.getConnection()); // unreadable: never a wrong body
                exchange.endExchange();
                return;
            }
            body = read;
        }
        exchange.getResponseSender().send(body, IoCallback.END_EXCHANGE);
    }

    /** The bytes of {@code file} in a buffer of their own, or null when the file cannot be read. */
    private static ByteBuffer readFile(BodyFile file) {
        ByteBuffer b = ByteBuffer.allocate((int) file.length());
        try {
            file.read(0, b);
        } catch (IOException e) {
            return null;
        }
        return b.flip();
    }

    /**
     * A {@link PreparedHead.Template} in Undertow's terms for one body length: status, reason (null =
     * the standard one), and the header lines to add (hop-by-hop fields and any Content-Length
     * removed, Content-Length for {@code length} appended); {@code holes[i]} non-null where the value
     * is made per request. Immutable; cached in the template.
     */
    private static final class Encoded {
        final int status;
        final String reason;
        final HttpString[] names;
        final String[] values;
        final PreparedHead.Hole[] holes;
        final long length;

        private Encoded(int status, String reason, HttpString[] names, String[] values, PreparedHead.Hole[] holes,
                        long length) {
            this.status = status;
            this.reason = reason;
            this.names = names;
            this.values = values;
            this.holes = holes;
            this.length = length;
        }

        static Encoded of(PreparedHead.Template t, long length) {
            Object cached = t.encoded();
            if (cached instanceof Encoded && ((Encoded) cached).length == length) {
                return (Encoded) cached;
            }
            ResponseHead head = t.head();
            HeaderFields h = ProxyHeaders.stripHopByHop(head.headers());
            int n = 0;
            for (int i = 0; i < h.size(); i++) {
                if (!h.name(i).equalsIgnoreCase("Content-Length")) {
                    n++;
                }
            }
            HttpString[] names = new HttpString[n + 1];
            String[] values = new String[n + 1];
            PreparedHead.Hole[] holes = new PreparedHead.Hole[n + 1];
            int j = 0;
            for (int i = 0; i < h.size(); i++) {
                if (!h.name(i).equalsIgnoreCase("Content-Length")) {
                    names[j] = HttpString.tryFromString(h.name(i));
                    values[j] = h.value(i);
                    holes[j] = t.holeOf(h.value(i));
                    j++;
                }
            }
            names[n] = Headers.CONTENT_LENGTH;
            values[n] = Long.toString(length);
            Encoded e = new Encoded(head.status(), head.reason().isEmpty() ? null : head.reason(), names, values, holes,
                    length);
            t.encodings++;
            t.encoded(e);
            return e;
        }
    }

    @Override
    public OutputStream start(ResponseHead head, long contentLength) throws IOException {
        writeHead(head, contentLength);
        OutputStream out = exchange.getOutputStream();
        return new OutputStream() {
            // Counted before writing: Undertow ends the exchange (and runs the completion
            // listeners that read the count) inside the write that completes Content-Length.
            @Override
            public void write(int b) throws IOException {
                bytesOut++;
                out.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                bytesOut += len;
                out.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                out.flush();
            }

            @Override
            public void close() throws IOException {
                out.close();
            }
        };
    }

    @Override
    public void sendHeadOnly(ResponseHead head) {
        started = true;
        prepare();
        exchange.setStatusCode(head.status());
        if (!head.reason().isEmpty()) {
            exchange.setReasonPhrase(head.reason());
        }
        copyHeaders(head.headers(), true);
        exchange.endExchange();
    }

    @Override
    public void sendError(int status, String message) {
        sendError(status, message, HeaderFields.empty());
    }

    @Override
    public void sendError(int status, String message, HeaderFields own) {
        if (started || exchange.isResponseStarted()) {
            // Too late for a status (a head was given, body bytes may be buffered): end the connection so the client sees an incomplete response.
            IoUtils.safeClose(exchange.getConnection());
            return;
        }
        started = true;
        exchange.getResponseHeaders().clear();
        byte[] b = (message + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        if (status == 503 && !own.contains("Retry-After")) {
            // The listener's overload default, unless the error brings its own (an origin pool knows better).
            exchange.getResponseHeaders().put(Headers.RETRY_AFTER, retryAfterSeconds);
        }
        for (int i = 0; i < own.size(); i++) {
            exchange.getResponseHeaders().add(HttpString.tryFromString(own.name(i)), own.value(i));
        }
        prepare();
        exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, b.length);
        bytesOut = b.length;
        exchange.getResponseSender().send(ByteBuffer.wrap(b), IoCallback.END_EXCHANGE);
    }

    @Override
    public boolean isStarted() {
        return started || exchange.isResponseStarted();
    }

    @Override
    public void outcome(String outcome) {
        this.outcome = outcome;
    }

    @Override
    public void originNanos(long nanos) {
        this.originNanos = nanos;
    }

    @Override
    public void closeConnection() {
        exchange.setPersistent(false);
    }

    /**
     * Closes {@code resource} from the exchange-completion listener: Undertow completes the exchange
     * after the last byte was handed to the connection (the END_EXCHANGE callback of an async send),
     * after a failed write, and when the connection is closed under the exchange. If the exchange is
     * already complete the resource is closed at once.
     */
    @Override
    public void releaseAfterResponse(AutoCloseable resource) {
        try {
            exchange.addExchangeCompleteListener((ex, next) -> {
                try {
                    closeQuietly(resource);
                } finally {
                    next.proceed();
                }
            });
        } catch (IllegalStateException alreadyComplete) {
            closeQuietly(resource);
        }
    }

    private static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            // A release must not fail the exchange; the resource's owner counts its own problems.
        }
    }

    private void writeHead(ResponseHead head, long contentLength) {
        started = true;
        prepare();
        exchange.setStatusCode(head.status());
        if (!head.reason().isEmpty()) {
            exchange.setReasonPhrase(head.reason());
        }
        copyHeaders(head.headers(), false);
        if (contentLength >= 0) {
            exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, contentLength);
        }
    }

    /**
     * A request body left unread (e.g. the origin answered before asking for it) would have to be
     * drained before the next request; closing is cheaper and safe (RFC 9110 §10.1.1 for Expect).
     */
    private void prepare() {
        if (body != null && body.unread()) {
            exchange.setPersistent(false);
        }
    }

    private void copyHeaders(HeaderFields fields, boolean keepContentLength) {
        HeaderFields h = ProxyHeaders.stripHopByHop(fields);
        HeaderMap map = exchange.getResponseHeaders();
        for (int i = 0; i < h.size(); i++) {
            String name = h.name(i);
            if (!keepContentLength && name.equalsIgnoreCase("Content-Length")) {
                continue;
            }
            map.add(HttpString.tryFromString(name), h.value(i));
        }
    }
}
