package dev.cachalot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The framing scanner without sockets: message boundaries, splits at every byte, verdicts. */
class FramingScannerTest {
    private static final FramingScanner.Rules RULES = new FramingScanner.Rules(256, 2048, 20, 0, false);

    private static FramingScanner scanWhole(String s) {
        FramingScanner f = new FramingScanner(RULES);
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        f.scan(ByteBuffer.wrap(b), 0, b.length);
        return f;
    }

    /** Feeds the bytes one at a time, as the slowest network would. */
    private static FramingScanner scanBytewise(String s) {
        FramingScanner f = new FramingScanner(RULES);
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < b.length; i++) {
            if (!f.scan(ByteBuffer.wrap(b), i, i + 1)) {
                break;
            }
        }
        return f;
    }

    @Test
    void keepAliveSequenceOfMessagesIsClean() {
        String s = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
                + "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"
                + "PUT /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nT: 1\r\n\r\n"
                + "GET /last HTTP/1.1\r\nHost: a\r\n\r\n";
        for (FramingScanner f : new FramingScanner[] {scanWhole(s), scanBytewise(s)}) {
            assertNull(f.violation());
            assertTrue(f.betweenMessages());
            assertEquals(4, f.validHeads());
            assertEquals(s.length(), f.offset());
        }
    }

    @Test
    void bodyBytesThatLookLikeViolationsAreNotParsed() {
        // A body containing CR, LF and header-like text is data, not framing.
        String body = "\r\nX : y\r\n\0\r";
        String s = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length() + "\r\n\r\n" + body
                + "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        assertNull(scanWhole(s).violation());
        assertNull(scanBytewise(s).violation());
    }

    @Test
    void violationPointsAtTheOffendingMessage() {
        String good = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
        String bad = "GET / HTTP/1.1\r\nHost: a\r\nX : b\r\n\r\n";
        for (FramingScanner f : new FramingScanner[] {scanWhole(good + bad), scanBytewise(good + bad)}) {
            assertEquals(FramingViolation.WHITESPACE_BEFORE_COLON, f.violation());
            assertEquals(good.length(), f.messageStart());
            assertEquals(1, f.validHeads());
            assertEquals(good.length() + bad.indexOf(" :"), f.offset());
        }
    }

    @Test
    void sameVerdictWhateverTheSplit() {
        String[] cases = {
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX",
            "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n",
        };
        for (String c : cases) {
            FramingScanner whole = scanWhole(c);
            FramingScanner bytewise = scanBytewise(c);
            assertTrue(whole.violation() != null, c);
            assertEquals(whole.violation(), bytewise.violation(), c);
            assertEquals(whole.offset(), bytewise.offset(), c);
        }
    }

    @Test
    void stopsAtTheFirstViolationAndStaysStopped() {
        FramingScanner f = scanWhole("GET / HTTP/1.1\r\nHost: a\r\nX: \0\r\n\r\n");
        assertEquals(FramingViolation.BAD_FIELD_VALUE, f.violation());
        byte[] more = "GET / HTTP/1.1\r\n".getBytes(StandardCharsets.ISO_8859_1);
        assertFalse(f.scan(ByteBuffer.wrap(more), 0, more.length));
    }

    @Test
    void bodyOnGetIsAllowedWhenConfigured() {
        FramingScanner f = new FramingScanner(new FramingScanner.Rules(256, 2048, 20, 0, true));
        byte[] b = "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi".getBytes(StandardCharsets.ISO_8859_1);
        assertTrue(f.scan(ByteBuffer.wrap(b), 0, b.length));
        assertTrue(f.betweenMessages());
    }

    @Test
    void chunkedBodyLimitIsEnforcedAcrossChunks() {
        FramingScanner f = new FramingScanner(new FramingScanner.Rules(256, 2048, 20, 8, false));
        byte[] b = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1);
        assertFalse(f.scan(ByteBuffer.wrap(b), 0, b.length));
        assertEquals(FramingViolation.BODY_TOO_LARGE, f.violation());
    }

    @Test
    void hostSyntax() {
        assertTrue(FramingScanner.validHost("example.com"));
        assertTrue(FramingScanner.validHost("example.com:8080"));
        assertTrue(FramingScanner.validHost("[::1]:8080"));
        assertTrue(FramingScanner.validHost("127.0.0.1"));
        assertFalse(FramingScanner.validHost(""));
        assertFalse(FramingScanner.validHost(":80"));
        assertFalse(FramingScanner.validHost("a b"));
        assertFalse(FramingScanner.validHost("a@b"));
        assertFalse(FramingScanner.validHost("[::1"));
        assertFalse(FramingScanner.validHost("a:80x"));
        assertFalse(FramingScanner.validHost("a:123456"));
    }

    /** The value and target fast loops stop at exactly the byte where the byte-by-byte rules fail. */
    @Test
    void limitsAndBadBytesAreFoundAtTheSameOffsetWholeOrBytewise() {
        String okLine = "GET /" + "a".repeat(240) + " HTTP/1.1\r\n";
        String[] cases = {
            // request line one byte over 256 inside the target
            "GET /" + "a".repeat(300) + " HTTP/1.1\r\nHost: a\r\n\r\n",
            // a control character inside the target
            "GET /a\u0001b HTTP/1.1\r\nHost: a\r\n\r\n",
            // header section over 2048 bytes inside an untracked value
            okLine + "X-Long: " + "v".repeat(3000) + "\r\nHost: a\r\n\r\n",
            // a NUL and a DEL inside untracked values
            "GET / HTTP/1.1\r\nHost: a\r\nX-A: ab\u0000c\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nX-A: ab\u007fc\r\n\r\n",
            // a bare LF ending an untracked value
            "GET / HTTP/1.1\r\nHost: a\r\nX-A: abc\nX-B: d\r\n\r\n",
        };
        FramingViolation[] expected = {
            FramingViolation.REQUEST_LINE_TOO_LONG, FramingViolation.BAD_REQUEST_LINE,
            FramingViolation.HEADERS_TOO_LARGE, FramingViolation.BAD_FIELD_VALUE, FramingViolation.BAD_FIELD_VALUE,
            FramingViolation.BARE_LF,
        };
        // Where the scanner stopped before it had the fast loops (the plain byte-by-byte state machine).
        long[] offsets = {256, 6, 2047, 32, 32, 33};
        for (int k = 0; k < cases.length; k++) {
            FramingScanner whole = scanWhole(cases[k]);
            FramingScanner bytewise = scanBytewise(cases[k]);
            assertEquals(expected[k], whole.violation(), cases[k]);
            assertEquals(expected[k], bytewise.violation(), cases[k]);
            assertEquals(offsets[k], whole.offset(), "offset of the offending byte: " + k);
            assertEquals(offsets[k], bytewise.offset(), "offset of the offending byte: " + k);
        }
    }
}
