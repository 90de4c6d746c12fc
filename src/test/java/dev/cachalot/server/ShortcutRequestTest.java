package dev.cachalot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which request heads the hit shortcut takes ({@link ShortcutRequest#parse}), what it makes of them,
 * the connection's parse cache, and the scanner's one-message-at-a-time stepping it relies on.
 */
class ShortcutRequestTest {
    private static ByteBuffer direct(String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer buf = ByteBuffer.allocateDirect(b.length + 8);
        buf.position(3); // not at 0: the parser works on absolute indexes
        buf.put(b);
        return buf;
    }

    private static ShortcutRequest parse(String s) {
        ByteBuffer b = direct(s);
        return ShortcutRequest.parse(b, 3, b.position());
    }

    @Test
    void aPlainGetIsParsedAsFrontHandlerWouldBuildIt() {
        ShortcutRequest r = parse("GET /a/b.bin?x=1&y=/z HTTP/1.1\r\nHost: Example.test:8080\r\nuser-agent: wrk\r\n"
                + "Accept:  */* \t\r\nConnection: Keep-Alive\r\n\r\n".replace(" \t\r\n", "\r\n"));
        assertNotNull(r);
        assertEquals("GET", r.head().method());
        assertEquals("http", r.head().scheme());
        assertEquals("Example.test:8080", r.head().authority());
        assertEquals("/a/b.bin?x=1&y=/z", r.head().target());
        assertEquals("HTTP/1.1", r.head().protocol());
        assertEquals("wrk", r.head().headers().first("User-Agent"));
        assertEquals("*/*", r.head().headers().first("Accept"), "leading whitespace is not part of the value");
        assertEquals("Keep-Alive", r.head().headers().first("Connection"));
        assertFalse(r.isHead());
        assertTrue(parse("HEAD / HTTP/1.1\r\nHost: h\r\n\r\n").isHead());
    }

    @Test
    void anEmptyQueryIsDroppedLikeUndertowDoes() {
        assertEquals("/a", parse("GET /a? HTTP/1.1\r\nHost: h\r\n\r\n").head().target());
        assertEquals("/a?b?", parse("GET /a?b? HTTP/1.1\r\nHost: h\r\n\r\n").head().target());
    }

    @Test
    void everythingOutsideThePlainShapeIsRefused() {
        List<String> refused = List.of(
                "POST /a HTTP/1.1\r\nHost: h\r\n\r\n",
                "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
                "GET http://h/a HTTP/1.1\r\nHost: h\r\n\r\n",
                "GET /a HTTP/1.0\r\nHost: h\r\n\r\n",
                "GET /a%20b HTTP/1.1\r\nHost: h\r\n\r\n",
                "GET /a;jsessionid=1 HTTP/1.1\r\nHost: h\r\n\r\n",
                "GET /a HTTP/1.1\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: [::1]:80\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: h:\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: h:0\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: h:65536\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: a%41\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: h\r\nHost: h\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: h\r\nCache-Control: no-cache\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: h\r\nPragma: no-cache\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: h\r\nIf-None-Match: \"x\"\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: h\r\nIf-Modified-Since: Wed, 25 Nov 2026 12:00:00 GMT\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: h\r\nRange: bytes=0-1\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: h\r\nAuthorization: Basic YTpi\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: h\r\nCookie: a=b\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, Upgrade\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: h\r\nForwarded: for=10.0.0.1\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: h\r\nVia: 1.1 other\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: h\r\nMax-Forwards: 0\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: h\r\nX-Anything: 1\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: h\r\nAccept: a\r\nAccept: b\r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: h\r\nAccept: \r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: h\r\nAccept: a \r\n\r\n",
                "GET /a HTTP/1.1\r\nHost: h\r\nUser-Agent: caf\u00e9\r\n\r\n");
        for (String s : refused) {
            assertNull(parse(s), s);
        }
    }

    @Test
    void theConnectionsCacheGivesTheSameParseBackForTheSameBytesOnly() {
        RequestCache cache = new RequestCache();
        ByteBuffer a = direct("GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
        ShortcutRequest first = cache.parse(a, 3, a.position());
        ByteBuffer again = direct("GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
        assertSame(first, cache.parse(again, 3, again.position()));
        ByteBuffer other = direct("GET /b HTTP/1.1\r\nHost: h\r\n\r\n");
        ShortcutRequest b = cache.parse(other, 3, other.position());
        assertEquals("/b", b.head().target());
        ByteBuffer refused = direct("GET /b HTTP/1.1\r\nHost: h\r\nCookie: x=y\r\n\r\n");
        assertNull(cache.parse(refused, 3, refused.position()));
        assertNull(cache.parse(refused, 3, refused.position()), "a refusal is remembered too");
    }

    @Test
    void theScannerStopsAfterEachMessageWhenAskedTo() {
        FramingScanner s = new FramingScanner(new FramingScanner.Rules(8192, 65536, 100, 0, false));
        String one = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n";
        String two = "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz";
        String three = "GET /c HTTP/1.1\r\nHo";
        ByteBuffer b = direct(one + two + three);
        int end = b.position();
        int e1 = s.scanMessage(b, 3, end);
        assertEquals(3 + one.length(), e1);
        assertTrue(s.betweenMessages());
        int e2 = s.scanMessage(b, e1, end);
        assertEquals(e1 + two.length(), e2, "the body belongs to its message");
        assertTrue(s.betweenMessages());
        assertEquals(end, s.scanMessage(b, e2, end));
        assertFalse(s.betweenMessages(), "the third message continues in a later read");
        assertEquals(2, s.validHeads());
        assertEquals(-1, new FramingScanner(new FramingScanner.Rules(8192, 65536, 100, 0, false))
                .scanMessage(direct("GET /a HTTP/1.1\nHost: h\r\n\r\n"), 3, 3 + 20));
    }
}
