package dev.cachalot.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.conformance.client.CacheClient;
import dev.cachalot.conformance.client.Response;
import dev.cachalot.conformance.origin.RecordedRequest;
import dev.cachalot.conformance.origin.Reply;
import dev.cachalot.conformance.origin.ScriptedOrigin;
import dev.cachalot.conformance.origin.TestChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The scripted origin and the raw client, talking to each other directly (no cache in between). */
class ScriptedOriginTest {
    private ScriptedOrigin origin;
    private CacheClient client;
    private TestChannel channel;

    @BeforeEach
    void start() throws Exception {
        origin = ScriptedOrigin.start(0);
        client = new CacheClient("127.0.0.1", origin.port(), 5000);
        channel = origin.channel("unit/n1");
    }

    @AfterEach
    void stop() throws Exception {
        origin.close();
    }

    private Response get(String path, String... h) throws Exception {
        List<String[]> headers = new java.util.ArrayList<>();
        for (int i = 0; i < h.length; i += 2) {
            headers.add(new String[] {h[i], h[i + 1]});
        }
        return client.exchange("GET", "/t/unit/n1" + path, headers, null);
    }

    @Test
    void countsRequestsPerTestAndRecordsWhatItReceived() throws Exception {
        channel.script(r -> Reply.ok("max-age=60").body("#" + r.sequence()));
        Response a = get("/r", "If-None-Match", "\"x\"");
        Response b = get("/r?q=1");
        assertEquals("#1", a.text());
        assertEquals("#2", b.text());
        assertEquals(2, channel.count());
        RecordedRequest first = channel.requests().get(0);
        assertEquals("\"x\"", first.header("if-none-match"));
        assertEquals("/r", first.localPath());
        assertEquals("/r?q=1", channel.requests().get(1).localPath());
        assertTrue(a.has("Date"));
        assertEquals("max-age=60", a.header("Cache-Control"));
    }

    @Test
    void requestsOfOtherTestsAreNotCounted() throws Exception {
        channel.script(r -> Reply.ok(null));
        client.exchange("GET", "/t/other/n1/r", List.of(), null);
        client.exchange("GET", "/elsewhere", List.of(), null);
        assertEquals(0, channel.count());
        assertEquals(List.of("GET /t/other/n1/r", "GET /elsewhere"), origin.strayRequests());
    }

    @Test
    void omitsDateWhenAsked() throws Exception {
        channel.script(r -> Reply.ok(null).noDate());
        assertFalse(get("/r").has("Date"));
    }

    @Test
    void decodesChunkedRequestBodies() throws Exception {
        channel.script(r -> Reply.ok(null).body("got " + r.bodyText()));
        List<Response> rs = client.raw(("POST /t/unit/n1/r HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1), false);
        assertEquals("got abcde", rs.get(0).text());
    }

    @Test
    void recordsUnparseableBytesAsFramingErrors() throws Exception {
        channel.script(r -> Reply.ok(null));
        client.raw("GET /t/unit/n1/r HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1),
                false);
        assertEquals(0, channel.count());
        assertEquals(1, origin.framingErrors().size());
        assertTrue(origin.framingErrors().get(0).contains("/t/unit/n1/r"));
    }

    @Test
    void abortedRequestBodyIsNotAFramingError() throws Exception {
        channel.script(r -> Reply.ok(null));
        client.raw("POST /t/unit/n1/r HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel"
                .getBytes(StandardCharsets.ISO_8859_1), false);
        assertEquals(0, channel.count());
        assertTrue(origin.framingErrors().isEmpty(), origin.framingErrors().toString());
    }

    @Test
    void invalidChunkSizeIsAFramingError() throws Exception {
        channel.script(r -> Reply.ok(null));
        client.raw("POST /t/unit/n1/r HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1), false);
        assertEquals(1, origin.framingErrors().size());
    }

    @Test
    void sendsChunkedToHttp11AndContentLengthToHttp10() throws Exception {
        channel.script(r -> Reply.ok(null).body("chunky").chunked());
        Response a = get("/r");
        assertEquals("chunked", a.header("Transfer-Encoding"));
        assertEquals("chunky", a.text());
        assertTrue(a.complete());
        Response b = client.raw("GET /t/unit/n1/r HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), false).get(0);
        assertNull(b.header("Transfer-Encoding"));
        assertEquals("6", b.header("Content-Length"));
        assertEquals("chunky", b.text());
    }

    @Test
    void truncatedBodyIsSeenAsIncomplete() throws Exception {
        channel.script(r -> Reply.ok(null).body("0123456789").truncateAfter(4));
        Response a = get("/r");
        assertEquals("10", a.header("Content-Length"));
        assertEquals("0123", a.text());
        assertFalse(a.complete());
    }

    @Test
    void closeDelimitedBodyIsComplete() throws Exception {
        channel.script(r -> Reply.ok(null).body("until close").closeDelimited());
        Response a = get("/r");
        assertNull(a.header("Content-Length"));
        assertEquals("until close", a.text());
        assertTrue(a.complete());
    }

    @Test
    void rawRepliesAreSentVerbatim() throws Exception {
        channel.script(r -> Reply.raw("HTTP/1.1 200 OK\r\nX-Nul: a\0b\r\nContent-Length: 2\r\n\r\nok"));
        Response a = get("/r");
        assertTrue(a.rawHead().contains("a\0b"));
        assertEquals("ok", a.text());
    }

    @Test
    void droppedConnectionYieldsNoResponse() throws Exception {
        channel.script(r -> Reply.drop());
        assertEquals(0, get("/r").status());
    }

    @Test
    void keepsConnectionsAliveAndAnswersPipelinedRequestsInOrder() throws Exception {
        channel.script(r -> Reply.ok(null).body(r.localPath()).delay(r.localPath().equals("/a") ? 100 : 0));
        List<Response> rs = client.rawMany(("GET /t/unit/n1/a HTTP/1.1\r\nHost: x\r\n\r\n"
                + "HEAD /t/unit/n1/b HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /t/unit/n1/c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1),
                5, 2000, false);
        assertEquals(2, rs.size(), "the HEAD response is read as a body-less one only when declared");
        assertEquals("/a", rs.get(0).text());
        assertEquals(1, channel.requests().stream().map(RecordedRequest::connectionId).distinct().count());
    }

    @Test
    void headResponsesCarryNoBody() throws Exception {
        channel.script(r -> Reply.ok(null).body("content"));
        List<Response> rs = client.rawMany(("HEAD /t/unit/n1/a HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /t/unit/n1/c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1),
                5, 2000, true);
        assertEquals(2, rs.size());
        assertEquals("7", rs.get(0).header("Content-Length"));
        assertEquals("content", rs.get(1).text());
    }

    @Test
    void awaitCountWaitsForBackgroundRequests() throws Exception {
        channel.script(r -> Reply.ok(null));
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(100);
                get("/r");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        t.start();
        assertEquals(1, channel.awaitCount(1, 5000));
        t.join();
    }
}
