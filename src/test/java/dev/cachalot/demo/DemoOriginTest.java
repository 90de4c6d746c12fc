package dev.cachalot.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.http.HttpDates;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DemoOriginTest {
    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00.250Z");

    private final AtomicReference<Instant> now = new AtomicReference<>(T0);
    private final HttpClient client = HttpClient.newHttpClient();
    private DemoOrigin origin;

    @BeforeEach
    void start() throws Exception {
        origin = DemoOrigin.start(new InetSocketAddress("127.0.0.1", 0), now::get);
    }

    @AfterEach
    void stop() {
        origin.close();
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + origin.port() + path));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void helloIsCacheableWithValidators() throws Exception {
        HttpResponse<String> r = get("/hello");
        assertEquals(200, r.statusCode());
        assertEquals("max-age=60", r.headers().firstValue("Cache-Control").orElseThrow());
        assertEquals("\"hello-v1\"", r.headers().firstValue("ETag").orElseThrow());
        assertEquals("Wed, 25 Nov 2026 12:00:00 GMT", r.headers().firstValue("Last-Modified").orElseThrow());
        assertTrue(r.headers().firstValue("Date").isPresent());
        assertTrue(r.body().startsWith("Hello"));
    }

    @Test
    void helloAnswersConditionalRequestsWith304() throws Exception {
        assertEquals(304, get("/hello", "If-None-Match", "W/\"other\", \"hello-v1\"").statusCode());
        assertEquals(200, get("/hello", "If-None-Match", "\"other\"").statusCode());
        assertEquals(304, get("/hello", "If-Modified-Since", "Wed, 25 Nov 2026 12:00:00 GMT").statusCode());
        assertEquals(200, get("/hello", "If-Modified-Since", "Wed, 25 Nov 2026 11:59:59 GMT").statusCode());
        // RFC 9110 §13.1.3: If-Modified-Since is ignored when If-None-Match is present.
        assertEquals(200, get("/hello", "If-None-Match", "\"other\"", "If-Modified-Since",
                HttpDates.format(T0.plusSeconds(3600))).statusCode());
        HttpResponse<String> nm = get("/hello", "If-None-Match", "\"hello-v1\"");
        assertEquals("\"hello-v1\"", nm.headers().firstValue("ETag").orElseThrow());
        assertEquals("", nm.body());
    }

    @Test
    void timeShowsWhenTheOriginGeneratedIt() throws Exception {
        HttpResponse<String> first = get("/time");
        assertEquals("max-age=5", first.headers().firstValue("Cache-Control").orElseThrow());
        assertTrue(first.body().contains("2026-11-25T12:00:00.250Z"), first.body());
        now.set(T0.plusSeconds(7));
        HttpResponse<String> second = get("/time");
        assertTrue(second.body().contains("2026-11-25T12:00:07.250Z"), second.body());
        assertNotEquals(first.body(), second.body());
    }

    @Test
    void nocacheIsNoStore() throws Exception {
        HttpResponse<String> r = get("/nocache");
        assertEquals(200, r.statusCode());
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElseThrow());
    }

    @Test
    void bigGeneratesTheRequestedNumberOfBytes() throws Exception {
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + origin.port() + "/big?size=200000")).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertEquals(200_000, r.body().length);
        assertEquals("200000", r.headers().firstValue("Content-Length").orElseThrow());
        assertEquals("max-age=300", r.headers().firstValue("Cache-Control").orElseThrow());
        assertEquals("\"big-200000\"", r.headers().firstValue("ETag").orElseThrow());
        assertEquals('a', r.body()[0]);
        assertEquals('a' + (199_999 % (64 * 1024)) % 26, r.body()[199_999]);
        assertEquals(400, get("/big?size=-1").statusCode());
        assertEquals(400, get("/big?size=lots").statusCode());
        assertEquals(400, get("/big?size=" + (DemoOrigin.MAX_BIG + 1)).statusCode());
    }

    @Test
    void indexUnknownPathsAndOtherMethods() throws Exception {
        HttpResponse<String> index = get("/");
        assertTrue(index.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
        assertTrue(index.body().contains("/hello"));
        assertEquals(404, get("/missing").statusCode());
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + origin.port() + "/hello")).POST(HttpRequest.BodyPublishers.ofString("x"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElseThrow());
    }

    @Test
    void headHasNoBody() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + origin.port() + "/hello"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("", r.body());
        assertEquals("max-age=60", r.headers().firstValue("Cache-Control").orElseThrow());
    }

    @Test
    void headOfBigKeepsTheLengthAndSendsNoBytes() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + origin.port() + "/big?size=5000"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("5000", r.headers().firstValue("Content-Length").orElseThrow());
        assertEquals("", r.body());
    }

    @Test
    void headerNamesKeepTheirUsualSpellingOnTheWire() throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", origin.port())) {
            s.getOutputStream().write("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String head = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            assertTrue(head.contains("\r\nETag: \"hello-v1\"\r\n"), head);
            assertTrue(head.contains("\r\nLast-Modified: "), head);
            assertTrue(head.contains("\r\nCache-Control: max-age=60\r\n"), head);
        }
    }

    @Test
    void countsEveryRequestItReceives() throws Exception {
        get("/hello");
        get("/hello");
        get("/missing");
        assertEquals(3, origin.requestCount());
    }

    @Test
    void listenAddressParsing() {
        assertEquals(new InetSocketAddress("127.0.0.1", 8081), DemoOrigin.parseHostPort("127.0.0.1:8081"));
        assertEquals(new InetSocketAddress("::1", 9000), DemoOrigin.parseHostPort("[::1]:9000"));
        assertThrows(IllegalArgumentException.class, () -> DemoOrigin.parseHostPort("8081"));
        assertThrows(IllegalArgumentException.class, () -> DemoOrigin.parseHostPort("host:"));
        assertThrows(IllegalArgumentException.class, () -> DemoOrigin.parseHostPort("host:http"));
        assertThrows(IllegalArgumentException.class, () -> DemoOrigin.parseHostPort("host:70000"));
    }
}
