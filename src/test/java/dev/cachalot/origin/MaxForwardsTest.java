package dev.cachalot.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.RequestHead;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 9110 §7.6.2 Max-Forwards (conformance tests max-forwards-zero-options, -zero-trace, -decremented). */
class MaxForwardsTest {
    private static RequestHead req(String method, String... headers) {
        return new RequestHead(method, "http", "example.test", "/p", "HTTP/1.1",
                HeaderFields.builder().add("Host", "example.test").addAll(HeaderFields.of(headers)).build());
    }

    @Test
    void maxForwardsZeroOptionsIsAnsweredHere() {
        assertTrue(MaxForwards.answerHere(req("OPTIONS", "Max-Forwards", "0")));
        assertEquals(200, MaxForwards.answer(req("OPTIONS", "Max-Forwards", "0")).head().status());
        assertFalse(MaxForwards.answerHere(req("OPTIONS", "Max-Forwards", "1")));
        assertFalse(MaxForwards.answerHere(req("OPTIONS")));
        assertFalse(MaxForwards.answerHere(req("GET", "Max-Forwards", "0")), "only TRACE and OPTIONS");
        assertFalse(MaxForwards.answerHere(req("OPTIONS", "Max-Forwards", "zero")), "malformed: left alone");
    }

    @Test
    void maxForwardsZeroTraceIsReflectedWithoutCredentials() {
        MaxForwards.Answer a = MaxForwards.answer(req("TRACE", "Max-Forwards", "0", "Cookie", "s=1",
                "Authorization", "Basic eA==", "X-Probe", "yes"));
        assertEquals(200, a.head().status());
        assertEquals("message/http", a.head().headers().first("Content-Type"));
        String body = new String(a.body(), StandardCharsets.ISO_8859_1);
        assertTrue(body.startsWith("TRACE /p HTTP/1.1\r\n"), body);
        assertTrue(body.contains("X-Probe: yes\r\n"), body);
        assertFalse(body.contains("s=1") || body.contains("Basic"), "credentials are not reflected: " + body);
    }

    @Test
    void maxForwardsIsDecrementedBeforeForwarding() {
        ProxyHeaders headers = new ProxyHeaders("cachalot", new TrustedProxies(List.of()));
        RequestHead out = headers.toOrigin(req("OPTIONS", "Max-Forwards", "5"), "127.0.0.1", false);
        assertEquals("4", out.headers().first("Max-Forwards"));
        out = headers.toOrigin(req("TRACE", "Max-Forwards", "1"), "127.0.0.1", false);
        assertEquals("0", out.headers().first("Max-Forwards"));
        out = headers.toOrigin(req("GET", "Max-Forwards", "5"), "127.0.0.1", false);
        assertEquals("5", out.headers().first("Max-Forwards"), "other methods: unchanged");
        out = headers.toOrigin(req("OPTIONS"), "127.0.0.1", false);
        assertNull(out.headers().first("Max-Forwards"));
    }
}
