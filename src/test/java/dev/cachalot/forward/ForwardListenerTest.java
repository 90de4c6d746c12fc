package dev.cachalot.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.e2e.RawClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The forward listener end to end on loopback: protocol handling and every refusal path. */
class ForwardListenerTest {
    private static final List<Cidr> LOOPBACK = List.of(Cidr.parse("127.0.0.1/32"));

    @TempDir
    Path dir;
    private ForwardHarness h;

    @AfterEach
    void stop() throws IOException {
        if (h != null) {
            h.close();
            assertEquals(0, h.offLoopbackAttempts.get(), "the guard let a non-loopback address through");
        }
    }

    private ForwardHarness start(ForwardConfig c) throws IOException {
        h = new ForwardHarness();
        return h.start(c);
    }

    private static ForwardConfig loopbackAllowed() {
        return ForwardConfig.defaults().withAllowDestinations(LOOPBACK);
    }

    private static String get(String url, String... extra) {
        return "GET " + url + " HTTP/1.1\r\nHost: " + url.replaceFirst("^https?://", "").replaceFirst("/.*$", "")
                + "\r\n" + String.join("", extra) + "Connection: close\r\n\r\n";
    }

    @Test
    void absoluteFormReachesOriginWithHostFromTargetAndNoProxyFields() throws Exception {
        start(loopbackAllowed());
        String url = "http://127.0.0.1:" + h.originPort() + "/pkg/a.deb?v=1";
        RawClient.Reply r = RawClient.send(h.port(), get(url, "Proxy-Connection: keep-alive\r\n",
                "Proxy-Authorization: Basic dTpw\r\n"));
        assertEquals(200, r.status(), r.text());
        assertEquals("origin saw /pkg/a.deb?v=1", r.body());
        ForwardHarness.Seen s = h.seen.get(0);
        assertEquals("/pkg/a.deb?v=1", s.uri());
        assertEquals(List.of("127.0.0.1:" + h.originPort()), s.headers().get("Host"));
        assertNull(s.headers().get("Proxy-connection"));
        assertNull(s.headers().get("Proxy-authorization"));
    }

    @Test
    void hostFieldNeverChoosesTheDestination() throws Exception {
        // RFC 9112 §3.2.2: the target decides; a Host naming an internal name is replaced, not followed.
        start(loopbackAllowed());
        h.dns.map("internal.example", "10.0.0.5");
        String req = "GET http://127.0.0.1:" + h.originPort() + "/internal.example HTTP/1.1\r\nHost: internal.example"
                + "\r\nConnection: close\r\n\r\n";
        RawClient.Reply r = RawClient.send(h.port(), req);
        assertEquals(200, r.status(), r.text());
        assertEquals(List.of("127.0.0.1:" + h.originPort()), h.seen.get(0).headers().get("Host"));
        assertEquals(0, h.dns.lookups.get(), "the Host value was never resolved");
    }

    @Test
    void mismatchedHostIsReplacedNotFollowed() throws Exception {
        // RFC 9112 §3.2.2: the received Host is ignored and replaced by the target's authority.
        start(loopbackAllowed());
        RawClient.Reply r = RawClient.send(h.port(), "GET http://127.0.0.1:" + h.originPort()
                + "/ HTTP/1.1\r\nHost: other.example\r\nConnection: close\r\n\r\n");
        assertEquals(200, r.status(), r.text());
        assertEquals(List.of("127.0.0.1:" + h.originPort()), h.seen.get(0).headers().get("Host"));
        assertEquals(0, h.dns.lookups.get(), "the Host value was never resolved");
    }

    @Test
    void originFormGetsAClear400() throws Exception {
        start(loopbackAllowed());
        RawClient.Reply r = RawClient.send(h.port(), "GET /index.html HTTP/1.1\r\nHost: 127.0.0.1:" + h.originPort()
                + "\r\nConnection: close\r\n\r\n");
        assertEquals(400, r.status(), r.text());
        assertTrue(r.body().contains("forward proxy"), r.body());
        assertEquals(0, h.originHits.get());
    }

    @Test
    void unsupportedSchemeAndUserInfoRefused() throws Exception {
        start(loopbackAllowed());
        assertEquals(400, RawClient.send(h.port(), "GET ftp://127.0.0.1/x HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Connection: close\r\n\r\n").status());
        assertEquals(0, h.originHits.get());
    }

    @Test
    void loopbackIsBlockedWithoutTheException() throws Exception {
        start(ForwardConfig.defaults());
        RawClient.Reply r = RawClient.send(h.port(), get("http://127.0.0.1:" + h.originPort() + "/"));
        assertEquals(403, r.status(), r.text());
        assertTrue(r.body().contains("loopback 127.0.0.0/8"), r.body());
        assertEquals(0, h.originHits.get());
    }

    @Test
    void nameResolvingToPrivateAddressIsRefusedBeforeAnyConnection() throws Exception {
        start(loopbackAllowed());
        h.dns.map("internal.example", "10.0.0.5");
        h.dns.map("metadata.example", "169.254.169.254");
        RawClient.Reply r = RawClient.send(h.port(), get("http://internal.example:" + h.originPort() + "/"));
        assertEquals(403, r.status(), r.text());
        assertTrue(r.body().contains("private 10.0.0.0/8"), r.body());
        r = RawClient.send(h.port(), get("http://metadata.example/latest/meta-data/"));
        assertEquals(403, r.status(), r.text());
        assertEquals(0, h.originHits.get());
        assertTrue(h.connects.isEmpty());
    }

    @Test
    void dnsRebindingBetweenCheckAndConnectIsCaughtAtConnect() throws Exception {
        start(loopbackAllowed());
        // First answer (the processor's check) is loopback; the origin client's own lookup gets 10.0.0.5.
        h.dns.map("rebind.example", "127.0.0.1").map("rebind.example", "10.0.0.5");
        RawClient.Reply r = RawClient.send(h.port(), get("http://rebind.example:" + h.originPort() + "/"));
        assertFalse(r.status() == 200, r.text());
        assertEquals(0, h.originHits.get(), "no request reached any origin");
        assertEquals(2, h.dns.lookups.get());
    }

    @Test
    void destinationRulesDenyByHostPattern() throws Exception {
        start(loopbackAllowed().withRules(List.of(DestinationRules.Rule.parse("deny *.blocked.example"))));
        h.dns.map("cdn.blocked.example", "127.0.0.1");
        RawClient.Reply r = RawClient.send(h.port(), get("http://cdn.blocked.example:" + h.originPort() + "/"));
        assertEquals(403, r.status(), r.text());
        assertTrue(r.body().contains("deny *.blocked.example"), r.body());
        assertEquals(0, h.dns.lookups.get(), "rules are checked before resolution");
    }

    @Test
    void clientOutsideTheAclGets403() throws Exception {
        start(loopbackAllowed().withClients(List.of(Cidr.parse("10.0.0.0/8"))));
        RawClient.Reply r = RawClient.send(h.port(), get("http://127.0.0.1:" + h.originPort() + "/"));
        assertEquals(403, r.status(), r.text());
        assertTrue(r.body().contains("may not use this proxy"), r.body());
        assertEquals(0, h.originHits.get());
    }

    @Test
    void proxyAuthentication() throws Exception {
        Path users = dir.resolve("users");
        Files.writeString(users, "alice:" + PasswordHash.create("wonder".toCharArray(), 1000).format() + "\n");
        start(loopbackAllowed().withCredentials(users));
        String url = "http://127.0.0.1:" + h.originPort() + "/";
        RawClient.Reply none = RawClient.send(h.port(), get(url));
        assertEquals(407, none.status(), none.text());
        assertTrue(none.text().contains("Proxy-Authenticate: Basic realm=\"cachalot\""), none.text());
        assertTrue(none.body().contains("needs a user name and password"));
        RawClient.Reply wrong = RawClient.send(h.port(), get(url, "Proxy-Authorization: "
                + ProxyAuthenticatorTest.basic("alice", "wrong") + "\r\n"));
        assertEquals(407, wrong.status());
        assertEquals(0, h.originHits.get());
        RawClient.Reply ok = RawClient.send(h.port(), get(url, "Proxy-Authorization: "
                + ProxyAuthenticatorTest.basic("alice", "wonder") + "\r\n"));
        assertEquals(200, ok.status(), ok.text());
        assertNull(h.seen.get(0).headers().get("Proxy-authorization"), "credentials never forwarded");
        // CONNECT needs them too.
        RawClient.Reply tunnel = RawClient.send(h.port(), "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443"
                + "\r\n\r\n");
        assertEquals(407, tunnel.status(), tunnel.text());
        assertTrue(tunnel.closed());
    }

    @Test
    void smugglingIsRejectedOnTheForwardListener() throws Exception {
        start(loopbackAllowed());
        String url = "http://127.0.0.1:" + h.originPort() + "/";
        RawClient.Reply r = RawClient.send(h.port(), "POST " + url + " HTTP/1.1\r\nHost: 127.0.0.1:" + h.originPort()
                + "\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET " + url + " HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + h.originPort() + "\r\n\r\n");
        assertEquals(400, r.status(), r.text());
        assertTrue(r.closed());
        r = RawClient.send(h.port(), "GET " + url + " HTTP/1.1\r\nHost: 127.0.0.1:" + h.originPort() + "\r\nHost: x"
                + "\r\n\r\n");
        assertEquals(400, r.status(), r.text());
        r = RawClient.send(h.port(), "CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\nContent-Length: 5\r\n"
                + "\r\nhello");
        assertEquals(400, r.status(), r.text());
        assertEquals(0, h.originHits.get());
        assertTrue(h.connects.isEmpty());
    }

    @Test
    void connectToNonAllowedPortIs403WithoutConnecting() throws Exception {
        start(loopbackAllowed());
        int echo = h.startEcho();
        RawClient.Reply r = RawClient.send(h.port(), "CONNECT 127.0.0.1:" + echo + " HTTP/1.1\r\nHost: 127.0.0.1:"
                + echo + "\r\n\r\nSSH-2.0-x\r\n");
        assertEquals(403, r.status(), r.text());
        assertTrue(r.body().contains("CONNECT to port " + echo + " is not allowed"), r.body());
        assertTrue(r.closed(), "after a refused CONNECT the connection closes");
        assertFalse(r.text().contains("SSH-2.0"), "nothing was relayed");
        assertTrue(h.connects.isEmpty());
    }

    @Test
    void connectToBlockedNameIs403WithoutConnecting() throws Exception {
        start(loopbackAllowed());
        h.dns.map("internal.example", "10.0.0.5");
        RawClient.Reply r = RawClient.send(h.port(), "CONNECT internal.example:443 HTTP/1.1\r\n"
                + "Host: internal.example:443\r\n\r\n");
        assertEquals(403, r.status(), r.text());
        assertTrue(r.body().contains("private 10.0.0.0/8"), r.body());
        assertTrue(h.connects.isEmpty());
    }

    @Test
    void connectTunnelRelaysBytesBothWays() throws Exception {
        h = new ForwardHarness();
        int echo = h.startEcho();
        h.start(loopbackAllowed().withConnectPorts(Set.of(443, echo)));
        h.dns.map("echo.example", "127.0.0.1");
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), h.port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(("CONNECT echo.example:" + echo + " HTTP/1.1\r\nHost: echo.example:" + echo + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String head = readHead(in);
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            // Undertow adds "Content-Length: 0" (documented deviation; clients must ignore it), never chunking.
            assertFalse(head.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding"), head);
            // Bytes that look like HTTP, even smuggling-shaped ones, are opaque tunnel data now.
            byte[] payload = "GET / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1);
            for (int round = 0; round < 3; round++) {
                out.write(payload);
                out.flush();
                assertEquals(new String(payload, StandardCharsets.ISO_8859_1),
                        new String(in.readNBytes(payload.length), StandardCharsets.ISO_8859_1));
            }
            byte[] big = new byte[1 << 20];
            new java.util.Random(7).nextBytes(big);
            Thread writer = new Thread(() -> {
                try {
                    out.write(big);
                    out.flush();
                } catch (IOException ignored) {
                    // the assertion below reports it
                }
            });
            writer.start();
            byte[] back = in.readNBytes(big.length);
            writer.join();
            assertTrue(java.util.Arrays.equals(big, back), "1 MiB relayed intact");
        }
        assertEquals(1, h.connects.size());
        assertEquals("127.0.0.1", h.connects.get(0).getAddress().getHostAddress());
    }

    @Test
    void connectUsesTheAddressItCheckedEvenWhenDnsChanges() throws Exception {
        h = new ForwardHarness();
        int echo = h.startEcho();
        h.start(loopbackAllowed().withConnectPorts(Set.of(echo)));
        h.dns.map("rebind.example", "127.0.0.1").map("rebind.example", "10.0.0.5");
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), h.port())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(("CONNECT rebind.example:" + echo + " HTTP/1.1\r\nHost: rebind.example:" + echo
                    + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            assertTrue(readHead(s.getInputStream()).startsWith("HTTP/1.1 200"));
        }
        RawClient.Reply second = RawClient.send(h.port(), "CONNECT rebind.example:" + echo + " HTTP/1.1\r\n"
                + "Host: rebind.example:" + echo + "\r\n\r\n");
        assertEquals(403, second.status(), second.text());
        assertEquals(1, h.connects.size(), "one connection, to the checked loopback address");
        assertEquals("127.0.0.1", h.connects.get(0).getAddress().getHostAddress());
    }

    @Test
    void idleTunnelIsClosed() throws Exception {
        h = new ForwardHarness();
        int echo = h.startEcho();
        ForwardConfig c = loopbackAllowed().withConnectPorts(Set.of(echo));
        c = new ForwardConfig(null, c.connectPorts(), c.httpPorts(), c.allowDestinations(), c.denyDestinations(),
                c.rules(), c.clients(), null, "cachalot", Duration.ofSeconds(2), Duration.ofMillis(300), 4, 4096);
        h.start(c);
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), h.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("CONNECT 127.0.0.1:" + echo + " HTTP/1.1\r\nHost: 127.0.0.1:" + echo
                    + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            assertTrue(readHead(in).startsWith("HTTP/1.1 200"));
            long t0 = System.nanoTime();
            assertEquals(-1, in.read(), "the proxy closes an idle tunnel");
            assertTrue(System.nanoTime() - t0 < 8_000_000_000L);
        }
        // The slot is given back: maxTunnels is 4, so five more sequential tunnels still open.
        for (int i = 0; i < 5; i++) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), h.port())) {
                s.setSoTimeout(5000);
                s.getOutputStream().write(("CONNECT 127.0.0.1:" + echo + " HTTP/1.1\r\nHost: 127.0.0.1:" + echo
                        + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                assertTrue(readHead(s.getInputStream()).startsWith("HTTP/1.1 200"));
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (h.forward.tunnels().openTunnels() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }
        assertEquals(0, h.forward.tunnels().openTunnels());
    }

    @Test
    void everyRefusalIsLoggedWithoutSecrets() throws Exception {
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger("cachalot.forward");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> app =
                new ch.qos.logback.core.read.ListAppender<>();
        app.start();
        log.addAppender(app);
        ch.qos.logback.classic.Level before = log.getLevel();
        log.setLevel(ch.qos.logback.classic.Level.INFO);
        try {
            Path users = dir.resolve("users");
            Files.writeString(users, "alice:" + PasswordHash.create("wonder".toCharArray(), 1000).format() + "\n");
            start(loopbackAllowed().withCredentials(users));
            h.dns.map("internal.example", "10.0.0.5");
            String secretHeader = ProxyAuthenticatorTest.basic("alice", "s3cret-guess");
            RawClient.send(h.port(), get("http://127.0.0.1:" + h.originPort() + "/dl?token=abc123",
                    "Proxy-Authorization: " + secretHeader + "\r\n"));
            RawClient.send(h.port(), get("http://internal.example/x?token=abc123", "Proxy-Authorization: "
                    + ProxyAuthenticatorTest.basic("alice", "wonder") + "\r\n"));
            RawClient.send(h.port(), "CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\nProxy-Authorization: "
                    + ProxyAuthenticatorTest.basic("alice", "wonder") + "\r\n\r\n");
            String all = String.join("\n", app.list.stream().map(e -> e.getFormattedMessage()).toList());
            assertTrue(all.contains("user=alice reason=auth-bad_credentials"), all);
            assertTrue(all.contains("host=internal.example reason=\"address private 10.0.0.0/8\""), all);
            assertTrue(all.contains("CONNECT to port 22 is not allowed"), all);
            assertFalse(all.contains("s3cret-guess") || all.contains("wonder"), all);
            assertFalse(all.contains(secretHeader.substring(6)), "the header value is never logged");
            assertFalse(all.contains("abc123"), "query strings (tokens) are not logged");
        } finally {
            log.detachAppender(app);
            log.setLevel(before);
        }
    }

    @Test
    void aTunnelWhereOnlyTheDestinationTalksOutlivesTheServerReadTimeout() throws Exception {
        // A long TLS download: the client sends nothing for minutes while bytes flow to it. The
        // listener's read and keep-alive timeouts (1s here) are for requests, not for tunnels.
        h = new ForwardHarness();
        h.serverYaml = "  limits:\n    readTimeout: 1s\n    idleTimeout: 1s\n";
        java.net.ServerSocket drip = new java.net.ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            try (Socket s = drip.accept(); OutputStream o = s.getOutputStream()) {
                for (int i = 0; i < 12; i++) {
                    o.write('x');
                    o.flush();
                    Thread.sleep(250);
                }
            } catch (Exception ignored) {
                // the assertion in the test reports a short read
            }
        });
        t.setDaemon(true);
        t.start();
        try (drip) {
            h.start(loopbackAllowed().withConnectPorts(Set.of(drip.getLocalPort())));
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), h.port())) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write(("CONNECT 127.0.0.1:" + drip.getLocalPort() + " HTTP/1.1\r\nHost: 127.0.0.1:"
                        + drip.getLocalPort() + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                InputStream in = s.getInputStream();
                assertTrue(readHead(in).startsWith("HTTP/1.1 200"));
                assertEquals("xxxxxxxxxxxx", new String(in.readNBytes(12), StandardCharsets.ISO_8859_1),
                        "3 s of bytes from the destination, none from the client");
                assertEquals(-1, in.read(), "the destination's close is passed on");
            }
        }
    }

    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            b.write(c);
            byte[] a = b.toByteArray();
            int n = a.length;
            if (n >= 4 && a[n - 4] == '\r' && a[n - 3] == '\n' && a[n - 2] == '\r' && a[n - 1] == '\n') {
                break;
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }
}
