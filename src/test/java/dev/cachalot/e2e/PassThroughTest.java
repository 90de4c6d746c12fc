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
        assertEquals(1, seen.count("User-Agent"));
        assertTrue(seen.header("User-Agent").startsWith("Java-http-client"), "the client's User-Agent is forwarded as is");
    }

    @Test
    void nothingIsAddedBeyondForwardingFields() throws Exception {
        RawClient.send(proxy.port(), "GET /raw HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        TestOrigin.Request seen = origin.last();
        assertNull(seen.header("User-Agent"), "the client library must not add a User-Agent");
        assertNull(seen.header("Accept-Encoding"), "the client library must not ask for compression");
        assertNull(seen.header("Cookie"));
        java.util.Set<String> names = new java.util.TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (String[] h : seen.headers()) {
            names.add(h[0]);
        }
        java.util.Set<String> expected = new java.util.TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        expected.addAll(java.util.List.of("Host", "Via", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host",
                "Forwarded", "Connection"));
        assertTrue(expected.containsAll(names), "unexpected fields sent to the origin: " + names);
    }

    @Test
    void poolIsSizedFromConfigAndConnectionsAreReused() throws Exception {
        for (int i = 0; i < 3; i++) {
            client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/" + i)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
        // The worker releases the origin connection just after the client has its last byte.
        var stats = proxy.originPoolStats();
        for (int i = 0; i < 100 && stats.leased() > 0; i++) {
            Thread.sleep(10);
            stats = proxy.originPoolStats();
        }
        assertEquals(512, stats.max());
        assertEquals(0, stats.leased());
        assertEquals(1, stats.available());
        assertEquals(1, origin.connections.get(), "keep-alive: one origin connection for sequential requests");
    }
}
