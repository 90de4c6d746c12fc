package dev.cachalot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.Cachalot;
import dev.cachalot.e2e.RawClient;
import dev.cachalot.e2e.TestOrigin;
import dev.cachalot.e2e.TestProxy;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One raw-socket test per framing rule (RFC 9112 §2-§7, RFC 9110 §5.5): the exact bytes go to the
 * proxy over a plain socket; the answer must be the expected status with a body naming the rule,
 * the connection must be closed, and the origin must have received nothing at all.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StrictFramingSocketTest {
    private TestOrigin origin;
    private Cachalot proxy;

    @BeforeAll
    void start() throws Exception {
        origin = TestOrigin.fixed("ok");
        proxy = TestProxy.start(origin.url(), "  limits:\n"
                + "    maxRequestLineBytes: 256\n"
                + "    maxHeaderBytes: 2048\n"
                + "    maxHeaderCount: 20\n"
                + "    maxRequestBodyBytes: 100000\n");
    }

    @AfterAll
    void stop() throws Exception {
        proxy.close();
        origin.close();
    }

    static Stream<Arguments> violations() {
        String big = "X-Big: " + "a".repeat(2100) + "\r\n";
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 25; i++) {
            many.append("X-F").append(i).append(": v\r\n");
        }
        return Stream.of(
                Arguments.of("Content-Length and Transfer-Encoding", 400,
                        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("Transfer-Encoding then Content-Length", 400,
                        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n"),
                Arguments.of("Transfer-Encoding not ending in chunked", 400,
                        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n"),
                Arguments.of("Transfer-Encoding identity", 400,
                        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\nhello"),
                Arguments.of("Transfer-Encoding chunked twice", 400,
                        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("Transfer-Encoding with an unknown coding", 501,
                        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("Transfer-Encoding in HTTP/1.0", 400,
                        "POST / HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                Arguments.of("duplicate Content-Length (same value)", 400,
                        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello"),
                Arguments.of("Content-Length list", 400,
                        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nhello"),
                Arguments.of("Content-Length with sign", 400,
                        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello"),
                Arguments.of("Content-Length negative", 400,
                        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n"),
                Arguments.of("Content-Length not a number", 400,
                        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5a\r\n\r\nhello"),
                Arguments.of("obs-fold", 400,
                        "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n"),
                Arguments.of("obs-fold with tab", 400,
                        "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n\tc\r\n\r\n"),
                Arguments.of("whitespace before colon", 400,
                        "GET / HTTP/1.1\r\nHost: a\r\nX-A : b\r\n\r\n"),
                Arguments.of("whitespace before colon in Content-Length", 400,
                        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length : 5\r\n\r\nhello"),
                Arguments.of("CR inside a field value", 400,
                        "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\rc\r\n\r\n"),
                Arguments.of("LF inside a field value", 400,
                        "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\nc\r\n\r\n"),
                Arguments.of("NUL inside a field value", 400,
                        "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\0c\r\n\r\n"),
                Arguments.of("bare CR ending the request line", 400,
                        "GET / HTTP/1.1\rHost: a\r\n\r\n"),
                Arguments.of("bare CR ending the header section", 400,
                        "GET / HTTP/1.1\r\nHost: a\r\n\rX\r\n\r\n"),
                Arguments.of("empty line before the request line", 400,
                        "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"),
                Arguments.of("bare LF line ends", 400,
                        "GET / HTTP/1.1\nHost: a\n\n"),
                Arguments.of("chunk size not hex", 400,
                        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("chunk size empty", 400,
                        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("chunk size overflowing", 400,
                        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000005\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("chunk size with sign", 400,
                        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("chunk data longer than its size", 400,
                        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("chunk size line ended by bare LF", 400,
                        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n"),
                Arguments.of("missing Host in HTTP/1.1", 400,
                        "GET / HTTP/1.1\r\nX-A: b\r\n\r\n"),
                Arguments.of("duplicate Host", 400,
                        "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
                Arguments.of("Host with a space", 400,
                        "GET / HTTP/1.1\r\nHost: a b\r\n\r\n"),
                Arguments.of("Host with a slash", 400,
                        "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n"),
                Arguments.of("Host with a bad port", 400,
                        "GET / HTTP/1.1\r\nHost: a:99999\r\n\r\n"),
                Arguments.of("empty Host", 400,
                        "GET / HTTP/1.1\r\nHost: \r\n\r\n"),
                Arguments.of("header section too large", 431,
                        "GET / HTTP/1.1\r\nHost: a\r\n" + big + "\r\n"),
                Arguments.of("too many header fields", 431,
                        "GET / HTTP/1.1\r\nHost: a\r\n" + many + "\r\n"),
                Arguments.of("request line too long", 414,
                        "GET /" + "a".repeat(300) + " HTTP/1.1\r\nHost: a\r\n\r\n"),
                Arguments.of("GET with a body", 400,
                        "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"),
                Arguments.of("GET with a chunked body", 400,
                        "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("HEAD with a body", 400,
                        "HEAD / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"),
                Arguments.of("request body over the limit", 413,
                        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 100001\r\n\r\nhello"),
                Arguments.of("HTTP/2.0 request line on the HTTP/1 listener", 505,
                        "GET / HTTP/2.0\r\nHost: a\r\n\r\n"),
                Arguments.of("malformed version", 400,
                        "GET / HTTP/1.1x\r\nHost: a\r\n\r\n"),
                Arguments.of("lower-case version", 400,
                        "GET / http/1.1\r\nHost: a\r\n\r\n"),
                Arguments.of("space in the target", 400,
                        "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n"),
                Arguments.of("field name with a bad character", 400,
                        "GET / HTTP/1.1\r\nHost: a\r\nX(A): b\r\n\r\n"),
                Arguments.of("empty field name", 400,
                        "GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("violations")
    void violationIsRefusedClosedAndNeverForwarded(String rule, int status, String raw) throws Exception {
        long bytesBefore = origin.bytesReceived.get();
        int connectionsBefore = origin.connections.get();
        int requestsBefore = origin.requests.get();
        RawClient.Reply reply = RawClient.send(proxy.port(), raw);
        assertEquals(status, reply.status(), rule + ": " + reply.text());
        assertTrue(reply.text().contains("Connection: close"), rule + ": " + reply.text());
        assertTrue(reply.closed(), rule + ": connection must be closed");
        assertTrue(!reply.body().isBlank(), rule + ": the body must say why");
        assertEquals(requestsBefore, origin.requests.get(), rule + ": origin saw a request");
        assertEquals(bytesBefore, origin.bytesReceived.get(), rule + ": origin received bytes");
        assertEquals(connectionsBefore, origin.connections.get(), rule + ": origin got a connection");
    }

    @Test
    void validChunkedRequestWithExtensionsAndTrailerPasses() throws Exception {
        int before = origin.requests.get();
        RawClient.Reply reply = RawClient.send(proxy.port(), "POST /up HTTP/1.1\r\nHost: a\r\nConnection: close\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n6 ; x\r\n world\r\n0\r\nX-T: 1\r\n\r\n");
        assertEquals(200, reply.status(), reply.text());
        assertEquals(before + 1, origin.requests.get());
        assertEquals("hello world", new String(origin.last().body(), java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void http10WithoutHostIsAccepted() throws Exception {
        RawClient.Reply reply = RawClient.send(proxy.port(), "GET / HTTP/1.0\r\n\r\n");
        assertEquals(200, reply.status(), reply.text());
    }

    @Test
    void smuggledSecondRequestIsRefusedAfterTheFirstIsAnswered() throws Exception {
        int before = origin.requests.get();
        RawClient.Reply reply = RawClient.send(proxy.port(),
                "GET /first HTTP/1.1\r\nHost: a\r\n\r\n"
                        + "POST /second HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n");
        assertTrue(reply.text().startsWith("HTTP/1.1 200"), reply.text());
        assertTrue(reply.text().contains("HTTP/1.1 400"), reply.text());
        assertTrue(reply.closed());
        assertEquals(before + 1, origin.requests.get(), "only the first request may reach the origin");
        assertEquals("/first", origin.last().target());
    }
}
