package dev.cachalot.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.e2e.RawClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 9112 §3.2.2 on the forward listener, over raw sockets on loopback: a proxy that receives an
 * absolute-form target ignores the received Host and replaces it with the target's authority, so
 * the origin (and the cache key) get the target's host whatever Host said; duplicate Host fields
 * are still refused. Runs in front of the caching pipeline, so keys are exercised too.
 */
class ForwardHostReplacementTest extends CachingForwardFixture {
    private static final List<Cidr> LOOPBACK = List.of(Cidr.parse("127.0.0.1/32"));

    private void startProxy() throws IOException {
        open("store", 64L << 20, 1L << 20, 1000);
        h.dns.map("localhost", "127.0.0.1");
        startCaching(ForwardConfig.defaults().withAllowDestinations(LOOPBACK));
    }

    private String origin() {
        return "127.0.0.1:" + h.originPort();
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void mismatchedHostIsReplacedByTheTargetAuthority() throws Exception {
        startProxy();
        RawClient.Reply r = send("GET http://" + origin() + "/r HTTP/1.1\r\n"
                + "Host: wrong.example\r\nConnection: close\r\n\r\n");
        assertEquals(200, r.status(), r.text());
        assertEquals("origin saw /r", r.body());
        assertEquals(1, h.originHits.get());
        assertEquals(List.of(origin()), h.seen.get(0).headers().get("Host"));
        assertEquals(0, h.dns.lookups.get(), "the received Host was never resolved");
    }

    @Test
    void localhostAnd127AreSeparateEntriesWhateverHostSays() throws Exception {
        startProxy();
        String path = "/k";
        RawClient.Reply a = send("GET http://" + origin() + path + " HTTP/1.1\r\nHost: " + origin()
                + "\r\nConnection: close\r\n\r\n");
        assertEquals(200, a.status(), a.text());
        // The target names localhost, the Host field 127.0.0.1: the target decides, so this is a new key.
        RawClient.Reply b = send("GET http://localhost:" + h.originPort() + path
                + " HTTP/1.1\r\nHost: " + origin() + "\r\nConnection: close\r\n\r\n");
        assertEquals(200, b.status(), b.text());
        assertEquals(2, h.originHits.get(), "a response stored for 127.0.0.1 was used for localhost");
        assertEquals(List.of("localhost:" + h.originPort()), h.seen.get(1).headers().get("Host"));
        // Both are stored (max-age=86400): asking again for either goes to neither origin request.
        RawClient.Reply c = send("GET http://localhost:" + h.originPort() + path
                + " HTTP/1.1\r\nHost: elsewhere.example\r\nConnection: close\r\n\r\n");
        assertEquals(200, c.status(), c.text());
        assertEquals(2, h.originHits.get(), "the localhost entry was not reused");
    }

    @Test
    void pipelinedRequestsWithBodiesEachGetTheirOwnAuthority() throws Exception {
        startProxy();
        String body = "Host: evil.example\r\n\r\n";
        String req = "POST http://" + origin() + "/p1 HTTP/1.1\r\nHost: one.example\r\nContent-Length: " + body.length()
                + "\r\n\r\n" + body
                + "GET http://localhost:" + h.originPort() + "/p2 HTTP/1.1\r\nHost: two.example\r\n"
                + "Connection: close\r\n\r\n";
        RawClient.Reply r = send(req);
        assertEquals(2, count(r.text(), "HTTP/1.1 200 "), r.text());
        assertTrue(r.text().contains("origin saw /p1") && r.text().contains("origin saw /p2"), r.text());
        assertEquals(2, h.originHits.get());
        assertEquals(List.of(origin()), h.seen.get(0).headers().get("Host"));
        assertEquals(List.of(String.valueOf(body.length())), h.seen.get(0).headers().get("Content-length"));
        assertEquals(List.of("localhost:" + h.originPort()), h.seen.get(1).headers().get("Host"));
    }

    @Test
    void requestSplitAtEveryByteIsRewrittenTheSame() throws Exception {
        startProxy();
        int positions = 0;
        for (int at = 0; ; at++) {
            String path = String.format("/split%04d", at);
            byte[] req = ("GET http://" + origin() + path + " HTTP/1.1\r\nHost: wrong.example\r\nAccept: */*\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
            if (at > req.length) {
                break;
            }
            String reply = sendInTwoWrites(req, at);
            assertTrue(reply.startsWith("HTTP/1.1 200 "), "split at " + at + ": " + reply);
            assertTrue(reply.endsWith("origin saw " + path), "split at " + at + ": " + reply);
            ForwardHarness.Seen s = h.seen.get(h.seen.size() - 1);
            assertEquals(path, s.uri());
            assertEquals(List.of(origin()), s.headers().get("Host"), "split at " + at);
            positions++;
        }
        assertEquals(positions, h.originHits.get());
    }

    @Test
    void duplicateHostIsStillRefusedAndNothingReachesTheOrigin() throws Exception {
        startProxy();
        RawClient.Reply r = send("GET http://" + origin() + "/d HTTP/1.1\r\nHost: a.example\r\n"
                + "Host: " + origin() + "\r\nConnection: close\r\n\r\n");
        assertEquals(400, r.status(), r.text());
        assertTrue(r.closed());
        assertEquals(0, h.originHits.get());
        // After a valid pipelined request the duplicate is refused the same way; the first one is answered.
        RawClient.Reply p = send("GET http://" + origin() + "/ok HTTP/1.1\r\nHost: x.example\r\n\r\n"
                + "GET http://" + origin() + "/dup HTTP/1.1\r\nHost: x.example\r\nHost: y.example\r\n\r\n");
        assertTrue(p.text().startsWith("HTTP/1.1 200 "), p.text());
        assertEquals(1, count(p.text(), "HTTP/1.1 400 "), p.text());
        assertTrue(p.closed());
        assertEquals(1, h.originHits.get());
        assertEquals("/ok", h.seen.get(0).uri());
    }

    @Test
    void missingHostOnHttp11IsStillRefused() throws Exception {
        startProxy();
        RawClient.Reply r = send("GET http://" + origin() + "/m HTTP/1.1\r\nAccept: */*\r\n"
                + "Connection: close\r\n\r\n");
        assertEquals(400, r.status(), r.text());
        assertEquals(0, h.originHits.get());
    }

    /** Sends {@code req} in one write and reads until the proxy closes (30 s at most). */
    private RawClient.Reply send(String req) throws IOException {
        return RawClient.send(h.port(), req.getBytes(StandardCharsets.ISO_8859_1), 30_000);
    }

    /** Sends {@code req} as two writes split at {@code at} and reads the reply until the proxy closes. */
    private String sendInTwoWrites(byte[] req, int at) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), h.port())) {
            s.setTcpNoDelay(true);
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(req, 0, at);
            out.flush();
            out.write(req, at, req.length - at);
            out.flush();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) != -1) {
                got.write(buf, 0, n);
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
