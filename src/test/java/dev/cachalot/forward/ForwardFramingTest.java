package dev.cachalot.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.server.FramingScanner;
import dev.cachalot.server.FramingViolation;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** How the strict framing scanner treats CONNECT on forward and reverse listeners. */
class ForwardFramingTest {
    private static final FramingScanner.Rules REVERSE = new FramingScanner.Rules(8192, 65536, 100, 0, false);
    private static final FramingScanner.Rules FORWARD = REVERSE.withConnectTunnels(true);

    private static FramingScanner scan(FramingScanner.Rules rules, String bytes) {
        FramingScanner s = new FramingScanner(rules);
        ByteBuffer b = ByteBuffer.wrap(bytes.getBytes(StandardCharsets.ISO_8859_1));
        s.scan(b, 0, b.limit());
        return s;
    }

    private static final String CONNECT = "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n";
    private static final String TLS_LIKE = "\u0016\u0003\u0001\u0000\u00a5\u0001\u0000\u0000\u00a1\u0003\u0003\n\r\n\r";

    @Test
    void afterConnectOnAForwardListenerTheRestIsTunnelData() {
        FramingScanner s = scan(FORWARD, CONNECT + TLS_LIKE);
        assertNull(s.violation());
        assertTrue(s.tunnelling());
        assertEquals(1, s.validHeads());
        assertEquals((CONNECT + TLS_LIKE).length(), s.offset(), "every tunnel byte accounted for");
        // Further bytes in later reads too.
        ByteBuffer more = ByteBuffer.wrap("\r\r\n\0\0 GET / HTTP/9.9\r\n".getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(s.scan(more, 0, more.limit()));
        assertEquals(1, s.validHeads(), "tunnel bytes never count as request heads");
    }

    @Test
    void reverseListenerKeepsScanningAfterConnect() {
        FramingScanner s = scan(REVERSE, CONNECT + TLS_LIKE);
        assertFalse(s.tunnelling());
        assertNotNull(s.violation(), "binary after CONNECT is a framing error on a reverse listener");
    }

    @Test
    void connectWithContentIsRefused() {
        assertEquals(FramingViolation.CONNECT_WITH_CONTENT,
                scan(FORWARD, "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\nContent-Length: 5\r\n\r\nhello").violation());
        assertEquals(FramingViolation.CONNECT_WITH_CONTENT, scan(FORWARD,
                "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").violation());
        assertNull(scan(FORWARD, "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\nContent-Length: 0\r\n\r\n").violation());
    }

    @Test
    void smugglingShapesBeforeTheTunnelAreStillCaught() {
        assertEquals(FramingViolation.CONTENT_LENGTH_AND_TRANSFER_ENCODING, scan(FORWARD,
                "POST http://a/ HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n")
                .violation());
        // A request that precedes a CONNECT on the same connection is scanned normally.
        FramingScanner s = scan(FORWARD, "GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n" + CONNECT + "x");
        assertNull(s.violation());
        assertEquals(2, s.validHeads());
        assertTrue(s.tunnelling());
        assertEquals(FramingViolation.DUPLICATE_HOST,
                scan(FORWARD, "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\nHost: b:443\r\n\r\n").violation());
    }
}
