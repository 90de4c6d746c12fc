package dev.cachalot.purge;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.ResponseHead;
import dev.cachalot.server.ClientRequest;
import dev.cachalot.server.RequestProcessor;
import dev.cachalot.server.ResponseSink;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;

/**
 * A {@link RequestProcessor} decorator that removes the purge tag fields ({@code purge.tagHeaders},
 * e.g. {@code Surrogate-Key}, {@code Cache-Tag}) from every response head sent to clients. They are
 * labels between origin and cache: the stored heads keep them (a future tag index reads them
 * there), clients never see them. A head without any of them is passed on as it is (no copy).
 */
public final class TagHeaderStripper implements RequestProcessor {
    private final RequestProcessor next;
    private final String[] names;

    /** @param tagHeaders the field names to remove (case-insensitive); must not be empty */
    public TagHeaderStripper(RequestProcessor next, List<String> tagHeaders) {
        this.next = Objects.requireNonNull(next, "next");
        if (tagHeaders.isEmpty()) {
            throw new IllegalArgumentException("no tag fields to strip: do not install the stripper");
        }
        this.names = tagHeaders.toArray(new String[0]);
    }

    @Override
    public boolean tryAnswerNow(ClientRequest request, ResponseSink sink) {
        return next.tryAnswerNow(request, new Sink(sink));
    }

    @Override
    public void process(ClientRequest request, ResponseSink sink) throws IOException {
        next.process(request, new Sink(sink));
    }

    /** The head without the tag fields; the same object when it has none. */
    ResponseHead strip(ResponseHead head) {
        HeaderFields h = head.headers();
        for (String n : names) {
            if (h.contains(n)) {
                return head.withHeaders(h.without(names));
            }
        }
        return head;
    }

    /** Forwards everything to the real sink, stripping the heads on the way. */
    private final class Sink implements ResponseSink {
        private final ResponseSink sink;

        Sink(ResponseSink sink) {
            this.sink = sink;
        }

        @Override
        public void sendComplete(ResponseHead head, ByteBuffer... body) {
            sink.sendComplete(strip(head), body);
        }

        @Override
        public OutputStream start(ResponseHead head, long contentLength) throws IOException {
            return sink.start(strip(head), contentLength);
        }

        @Override
        public long stream(ResponseHead head, InputStream body, long contentLength) throws IOException {
            return sink.stream(strip(head), body, contentLength);
        }

        @Override
        public void sendHeadOnly(ResponseHead head) {
            sink.sendHeadOnly(strip(head));
        }

        @Override
        public void sendError(int status, String message) {
            sink.sendError(status, message);
        }

        @Override
        public void sendError(int status, String message, HeaderFields own) {
            sink.sendError(status, message, own); // e.g. Retry-After on a 429: the default would drop them
        }

        @Override
        public boolean isStarted() {
            return sink.isStarted();
        }

        @Override
        public void outcome(String outcome) {
            sink.outcome(outcome);
        }

        @Override
        public void originNanos(long nanos) {
            sink.originNanos(nanos);
        }

        @Override
        public void closeConnection() {
            sink.closeConnection();
        }
    }
}
