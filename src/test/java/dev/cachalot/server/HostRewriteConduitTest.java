package dev.cachalot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.metrics.ProxyMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.Test;
import org.xnio.conduits.StreamSourceConduit;

/**
 * The forward listener's Host replacement (RFC 9112 §3.2.2) in the framing conduit, without sockets:
 * what Undertow's parser would read for given client bytes, whatever the read splits and however
 * small Undertow's buffer is.
 */
class HostRewriteConduitTest {
    private static final FramingScanner.Rules FORWARD =
            new FramingScanner.Rules(256, 2048, 20, 0, false).withConnectTunnels(true);
    private static final FramingScanner.Rules REVERSE = new FramingScanner.Rules(256, 2048, 20, 0, false);

    /** Output sizes Undertow's buffer might offer: tiny ones force the pending-insertion path. */
    private static final int[] OUT_SIZES = {1, 2, 3, 7, 16384};

    /** What a conduit over the given read chunks hands to Undertow, read with buffers of {@code outSize}. */
    private static String through(FramingScanner.Rules rules, int outSize, byte[]... chunks) throws IOException {
        Deque<byte[]> pending = new ArrayDeque<>();
        for (byte[] c : chunks) {
            if (c.length > 0) {
                pending.add(c);
            }
        }
        StreamSourceConduit socket = (StreamSourceConduit) Proxy.newProxyInstance(
                HostRewriteConduitTest.class.getClassLoader(), new Class<?>[] {StreamSourceConduit.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("read") && args.length == 1) {
                        ByteBuffer dst = (ByteBuffer) args[0];
                        byte[] c = pending.poll();
                        if (c == null) {
                            return -1;
                        }
                        int n = Math.min(c.length, dst.remaining());
                        dst.put(c, 0, n);
                        if (n < c.length) {
                            pending.addFirst(java.util.Arrays.copyOfRange(c, n, c.length));
                        }
                        return n;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        ConnectionGuard guard = new ConnectionGuard(new FramingScanner(rules));
        // An exchange "in progress" keeps the conduit from writing its own error answer (no socket here).
        guard.activeExchanges.incrementAndGet();
        StrictFramingConduit conduit = new StrictFramingConduit(socket, null, guard, ProxyMetrics.noop(),
                rules.connectTunnels());
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        ByteBuffer dst = ByteBuffer.allocate(outSize);
        for (int guardLoop = 0; guardLoop < 1_000_000; guardLoop++) {
            dst.clear();
            int n = conduit.read(dst);
            if (n < 0) {
                return seen.toString(StandardCharsets.ISO_8859_1);
            }
            seen.write(dst.array(), 0, dst.position());
            assertEquals(n, dst.position(), "read count matches the bytes put into the buffer");
        }
        throw new AssertionError("the conduit never reached the end of the stream");
    }

    private static String forward(String in) throws IOException {
        return through(FORWARD, 16384, bytes(in));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Every split of the input into two reads, with every output size, gives {@code expected}. */
    private static void assertEverySplit(FramingScanner.Rules rules, String in, String expected) throws IOException {
        byte[] b = bytes(in);
        for (int out : OUT_SIZES) {
            for (int at = 0; at <= b.length; at++) {
                String got = through(rules, out, java.util.Arrays.copyOfRange(b, 0, at),
                        java.util.Arrays.copyOfRange(b, at, b.length));
                assertEquals(expected, got, "split at " + at + ", output buffer " + out);
            }
        }
        // And one byte per read, as the slowest network would deliver it.
        byte[][] single = new byte[b.length][];
        for (int i = 0; i < b.length; i++) {
            single[i] = new byte[] {b[i]};
        }
        assertEquals(expected, through(rules, 3, single), "one byte per read");
    }

    /**
     * For input that breaks a rule after {@code valid}: in one read Undertow gets exactly the (rewritten)
     * valid part; with any other split it gets the valid part and at most an incomplete head of the
     * offending message (bytes handed over in an earlier read stay handed over, as on the reverse
     * listener), never a complete one, so no handler runs for it.
     */
    private static void assertCutEverySplit(String in, String valid) throws IOException {
        assertEquals(valid, forward(in), "one read");
        byte[] b = bytes(in);
        for (int out : OUT_SIZES) {
            for (int at = 0; at <= b.length; at++) {
                String got = through(FORWARD, out, java.util.Arrays.copyOfRange(b, 0, at),
                        java.util.Arrays.copyOfRange(b, at, b.length));
                String where = "split at " + at + ", output buffer " + out + ": " + got;
                assertTrue(got.startsWith(valid), where);
                assertFalse(got.substring(valid.length()).contains("\r\n\r\n"), where);
            }
        }
    }

    @Test
    void mismatchedHostIsReplacedByTheTargetAuthority() throws IOException {
        assertEquals("GET http://127.0.0.1:8080/r HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAccept: */*\r\n\r\n",
                forward("GET http://127.0.0.1:8080/r HTTP/1.1\r\nHost: wrong.example\r\nAccept: */*\r\n\r\n"));
    }

    @Test
    void replacementKeepsTheNameAndNormalisesTheWhitespace() throws IOException {
        assertEquals("GET http://a.example/ HTTP/1.1\r\nX: 1\r\nhOsT: a.example\r\n\r\n",
                forward("GET http://a.example/ HTTP/1.1\r\nX: 1\r\nhOsT:\t  b.example  \r\n\r\n"));
        assertEquals("GET http://a.example/ HTTP/1.1\r\nHost: a.example\r\n\r\n",
                forward("GET http://a.example/ HTTP/1.1\r\nHost:zz\r\n\r\n"));
    }

    @Test
    void authorityEndsAtPathQueryOrTargetEnd() throws IOException {
        assertEquals("GET http://h.example:81 HTTP/1.1\r\nHost: h.example:81\r\n\r\n",
                forward("GET http://h.example:81 HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertEquals("GET HTTPS://H.example?q=1 HTTP/1.1\r\nHost: H.example\r\n\r\n",
                forward("GET HTTPS://H.example?q=1 HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertEquals("GET http://[::1]:8080/p HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n",
                forward("GET http://[::1]:8080/p HTTP/1.1\r\nHost: x\r\n\r\n"));
    }

    @Test
    void requestsThatAreNotAbsoluteFormOrHaveABadAuthorityAreUnchanged() throws IOException {
        for (String in : new String[] {
                "GET /r HTTP/1.1\r\nHost: a.example\r\n\r\n",
                "OPTIONS * HTTP/1.1\r\nHost: a.example\r\n\r\n",
                "GET http://user@a.example/ HTTP/1.1\r\nHost: a.example\r\n\r\n",
                "GET http:///r HTTP/1.1\r\nHost: a.example\r\n\r\n",
                "GET http:/a.example/r HTTP/1.1\r\nHost: a.example\r\n\r\n",
                "GET 1http://b.example/ HTTP/1.1\r\nHost: a.example\r\n\r\n",
                "GET http://b.example/ HTTP/1.0\r\n\r\n"}) {
            assertEquals(in, forward(in), in);
        }
    }

    @Test
    void reverseListenerBytesAreNeverChanged() throws IOException {
        String in = "GET http://127.0.0.1:8080/r HTTP/1.1\r\nHost: wrong.example\r\n\r\n";
        assertEverySplit(REVERSE, in, in);
    }

    @Test
    void splitAtEveryByteGivesTheSameRewrite() throws IOException {
        assertEverySplit(FORWARD,
                "GET http://127.0.0.1:8080/r HTTP/1.1\r\nHost: wrong.example\r\nAccept: */*\r\n\r\n",
                "GET http://127.0.0.1:8080/r HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAccept: */*\r\n\r\n");
    }

    @Test
    void pipelinedRequestsEachGetTheirOwnAuthorityAndBodiesPassUntouched() throws IOException {
        String body = "Host: evil.example\r\n\r\n";
        String in = "POST http://a.example/up HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n"
                + body
                + "PUT http://b.example:8/c HTTP/1.1\r\nHost: y\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nHost:\r\n0\r\nHost: trailer.example\r\n\r\n"
                + "GET /origin-form HTTP/1.1\r\nHost: z\r\n\r\n"
                + "GET http://localhost:9/ HTTP/1.1\r\nHost: 127.0.0.1:9\r\n\r\n";
        String out = "POST http://a.example/up HTTP/1.1\r\nHost: a.example\r\nContent-Length: " + body.length()
                + "\r\n\r\n" + body
                + "PUT http://b.example:8/c HTTP/1.1\r\nHost: b.example:8\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nHost:\r\n0\r\nHost: trailer.example\r\n\r\n"
                + "GET /origin-form HTTP/1.1\r\nHost: z\r\n\r\n"
                + "GET http://localhost:9/ HTTP/1.1\r\nHost: localhost:9\r\n\r\n";
        assertEverySplit(FORWARD, in, out);
    }

    @Test
    void tunnelBytesAfterConnectPassUntouched() throws IOException {
        String in = "CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n"
                + "GET http://b.example/ HTTP/1.1\r\nHost: c\r\n\r\n\u0016\u0003\u0001";
        assertEverySplit(FORWARD, in, in);
    }

    @Test
    void duplicateHostIsRefusedNotRewritten() throws IOException {
        String first = "GET http://a.example/1 HTTP/1.1\r\nHost: a.example\r\n\r\n";
        String dup = "GET http://a.example/2 HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n";
        // Undertow sees only the valid request before the offending one, rewritten; nothing of the second.
        assertCutEverySplit(first + dup, first);
        FramingScanner s = scannerAfter(first + dup);
        assertEquals(FramingViolation.DUPLICATE_HOST, s.violation());
        assertEquals(1, s.validHeads());
    }

    @Test
    void missingAndInvalidHostAreStillRefused() throws IOException {
        assertEquals("", forward("GET http://a.example/ HTTP/1.1\r\nAccept: */*\r\n\r\n"));
        assertEquals(FramingViolation.MISSING_HOST,
                scannerAfter("GET http://a.example/ HTTP/1.1\r\nAccept: */*\r\n\r\n").violation());
        assertEquals("", forward("GET http://a.example/ HTTP/1.1\r\nHost: a b\r\n\r\n"));
        assertEquals(FramingViolation.INVALID_HOST,
                scannerAfter("GET http://a.example/ HTTP/1.1\r\nHost: a b\r\n\r\n").violation());
        assertCutEverySplit("GET http://a.example/ HTTP/1.1\r\nHost: \r\n\r\n", "");
    }

    @Test
    void aViolationInALaterHeadAfterAReplacedHostWithholdsThatWholeMessage() throws IOException {
        String ok = "GET http://a.example/ HTTP/1.1\r\nHost: x\r\n\r\n";
        String bad = "GET http://b.example/ HTTP/1.1\r\nHost: y\r\nX-A: b\r\n folded\r\n\r\n";
        assertCutEverySplit(ok + bad, "GET http://a.example/ HTTP/1.1\r\nHost: a.example\r\n\r\n");
    }

    @Test
    void cleanStreamHasNoViolation() throws IOException {
        assertNull(scannerAfter("GET http://a.example/ HTTP/1.1\r\nHost: x\r\n\r\n").violation());
    }

    private static FramingScanner scannerAfter(String in) throws IOException {
        FramingScanner s = new FramingScanner(FORWARD);
        HostRewriter r = new HostRewriter(s);
        ByteBuffer src = ByteBuffer.wrap(bytes(in));
        ByteBuffer out = ByteBuffer.allocate(4096);
        while (src.hasRemaining() && r.transform(src, out)) {
            out.clear();
        }
        return s;
    }
}
