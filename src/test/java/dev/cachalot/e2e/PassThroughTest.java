package dev.cachalot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.Cachalot;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** End-to-end: requests through the real server to a local origin. */
class PassThroughTest {
    private TestOrigin origin;
    private Cachalot proxy;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeEach
    void start() throws Exception {
        origin = TestOrigin.fixed("hello");
        proxy = TestProxy.start(origin.url(), null);
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        origin.close();
    }

    @Test
    void getIsForwardedAndAnswered() throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + proxy.port() + "/a/b?c=d")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("hello", r.body());
        assertTrue(r.headers().firstValue("Via").orElse("").contains("1.1 cachalot"), r.headers().toString());
        TestOrigin.Request seen = origin.last();
        assertEquals("GET", seen.method());
        assertEquals("/a/b?c=d", seen.target());
        assertEquals("127.0.0.1:" + proxy.port(), seen.header("Host"));
        assertEquals("1.1 cachalot", seen.header("Via"));
        assertEquals("127.0.0.1", seen.header("X-Forwarded-For"));
        assertEquals("http", seen.header("X-Forwarded-Proto"));
        assertNull(seen.header("User-Agent") == null ? null : seen.header("User-Agent").contains("Apache") ? "x" : null,
                "the client library must not add its own User-Agent");
    }
}
