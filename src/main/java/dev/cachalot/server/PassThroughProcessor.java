package dev.cachalot.server;

import dev.cachalot.http.RequestHead;
import dev.cachalot.http.ResponseHead;
import dev.cachalot.http.StatusCodes;
import dev.cachalot.metrics.ProxyMetrics;
import dev.cachalot.origin.OriginClient;
import dev.cachalot.origin.OriginException;
import dev.cachalot.origin.OriginResponse;
import dev.cachalot.origin.ProxyHeaders;
import dev.cachalot.origin.RequestBody;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The proxy without a cache: every request goes to its route's origin with the header rewriting of
 * {@link ProxyHeaders}, both bodies streamed in constant memory (one 16 KiB buffer per exchange).
 */
public final class PassThroughProcessor implements RequestProcessor {
    private final OriginClient origin;
    private final ProxyHeaders headers;
    private final ProxyMetrics metrics;

    public PassThroughProcessor(OriginClient origin, ProxyHeaders headers, ProxyMetrics metrics) {
        this.origin = origin;
        this.headers = headers;
        this.metrics = metrics;
    }

    @Override
    public void process(ClientRequest request, ResponseSink sink) throws IOException {
        sink.outcome("PASS");
        RequestHead out = headers.toOrigin(request.head(), request.client().peerAddress(), request.client().secure());
        RequestBody body = request.hasBody() ? RequestBody.of(request.body(), request.contentLength()) : null;
        String route = request.route().route();
        long t0 = System.nanoTime();
        OriginResponse response;
        try {
            response = origin.send(request.route(), out, body);
        } catch (OriginException e) {
            sink.originNanos(System.nanoTime() - t0);
            metrics.originExchange(route, 0, System.nanoTime() - t0);
            throw e;
        }
        sink.originNanos(response.headNanos());
        metrics.originExchange(route, response.head().status(), response.headNanos());
        ResponseHead head = headers.toClient(response.head(), request.head().protocol());
        if (request.head().isMethod("HEAD") || StatusCodes.hasNoContent(head.status())) {
            // RFC 9110 §9.3.2 / §8.6: the origin's Content-Length describes the representation; no body follows.
            response.close();
            sink.sendHeadOnly(head);
            return;
        }
        copy(response, sink, head);
    }

    /** Streams the origin body to the client; whichever side fails, the other is ended, never left hanging. */
    private static void copy(OriginResponse response, ResponseSink sink, ResponseHead head) throws IOException {
        OutputStream out;
        try {
            out = sink.start(head, response.contentLength());
        } catch (IOException e) {
            response.abort();
            throw e;
        }
        long length = response.contentLength();
        // Small bodies need no 16 KiB buffer; one read (plus the end) is enough.
        byte[] buf = new byte[length >= 0 && length < 16 * 1024 ? (int) Math.max(length, 512) : 16 * 1024];
        InputStream in = response.body();
        while (true) {
            int r;
            try {
                r = in.read(buf);
            } catch (IOException e) {
                // The origin failed mid-body: the client must see an incomplete response, not a clean end.
                response.abort();
                sink.sendError(502, e.getMessage());
                return;
            }
            if (r < 0) {
                break;
            }
            try {
                out.write(buf, 0, r);
            } catch (IOException e) {
                // The client went away: stop reading from the origin at once.
                response.abort();
                throw e;
            }
        }
        response.close();
        out.close();
    }
}
