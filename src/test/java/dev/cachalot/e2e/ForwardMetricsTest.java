package dev.cachalot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.Cachalot;
import dev.cachalot.config.ConfigLoader;
import dev.cachalot.forward.PasswordHash;
import dev.cachalot.metrics.PromText;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The forward proxy's metrics after real requests through {@link Cachalot#open}'s forward listener
 * (loopback only): requests by outcome (cached, forwarded, bad-target, destination-denied,
 * address-denied, auth-required, auth-failed, client-denied), tunnels by result with the open-tunnel
 * gauge and the bytes relayed, and per-host rules applied, read back from the admin {@code /metrics}.
 */
class ForwardMetricsTest {
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @TempDir
    Path dir;

    private String yaml(TestOrigin origin, String forward) {
        return "server:\n  listen: 127.0.0.1:0\n  shutdownTimeout: 2s\n"
                + "admin:\n  listen: 127.0.0.1:0\n"
                + "store:\n  dir: " + dir.resolve("cache-" + System.nanoTime()) + "\n  diskSize: 64MiB\n"
                + "  maxObjectSize: 16MiB\n  diskMaxEntries: 1000\n"
                + "routes:\n  - name: default\n    origin: " + origin.url() + "\n"
                + "forward:\n  listen: 127.0.0.1:0\n  allowDestinations: [127.0.0.1/32]\n" + forward;
    }

    private static TestOrigin origin() throws Exception {
        return new TestOrigin((req, out, s) -> TestOrigin.respond(out, 200,
                ("body of " + req.target()).getBytes(StandardCharsets.UTF_8), "Cache-Control", "max-age=600"));
    }

    private PromText scrape(Cachalot c) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + c.adminPort()
                + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        return PromText.parse(r.body());
    }

    private static double value(PromText p, String name, Map<String, String> labels) {
        Optional<Double> v = p.value(name, labels);
        return v.orElse(0.0);
    }

    private static RawClient.Reply send(Cachalot c, String request) throws IOException {
        return RawClient.send(c.forwardPort(), request);
    }

    private static String get(String url, String... headers) {
        String authority = url.replaceFirst("^http://", "").replaceFirst("/.*$", "");
        StringBuilder b = new StringBuilder("GET " + url + " HTTP/1.1\r\nHost: " + authority + "\r\n");
        for (String h : headers) {
            b.append(h).append("\r\n");
        }
        return b.append("Connection: close\r\n\r\n").toString();
    }

    private static String connect(String authority, String... headers) {
        StringBuilder b = new StringBuilder("CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n");
        for (String h : headers) {
            b.append(h).append("\r\n");
        }
        return b.append("\r\n").toString();
    }

    /** Polls the metrics (an end-to-end wait with a deadline, not a timing assertion) until the value is reached. */
    private PromText awaitValue(Cachalot c, String name, Map<String, String> labels, double want) throws Exception {
        long end = System.nanoTime() + 30_000_000_000L;
        PromText p = scrape(c);
        while (value(p, name, labels) != want && System.nanoTime() < end) {
            Thread.sleep(20);
            p = scrape(c);
        }
        return p;
    }

    @Test
    void requestsTunnelsAndRulesAreCountedByOutcome() throws Exception {
        try (TestOrigin origin = origin()) {
            int port = origin.port();
            String forward = "  rules:\n    - deny *.blocked.example\n    - allow 127.0.0.1:" + port + "\n"
                    + "    - allow 127.0.0.2:" + port + "\n"
                    + "  storeIds:\n    - name: mirror\n      match: '^http://127\\.0\\.0\\.1:[0-9]+/mirror/(.*)$'\n"
                    + "      key: 'http://mirror.cachalot.internal/$1'\n"
                    + "  cacheRules:\n    - name: pinned\n      path: '^/mirror/'\n      forceTtl: 1h\n";
            Cachalot c = Cachalot.open(ConfigLoader.parse("test", yaml(origin, forward)), Clock.systemUTC());
            try {
                String base = "http://127.0.0.1:" + port;
                assertEquals(200, send(c, get(base + "/plain")).status());
                PromText p = awaitValue(c, "cachalot_store_entries", Map.of("tier", "memory"), 1);
                RawClient.Reply hit = send(c, get(base + "/plain"));
                assertTrue(hit.text().contains("X-Cache-Status: HIT"), hit.text());
                assertEquals(200, send(c, get(base + "/mirror/a.deb")).status());
                awaitValue(c, "cachalot_store_entries", Map.of("tier", "memory"), 2);
                assertTrue(send(c, get(base + "/mirror/a.deb")).text().contains("X-Cache-Status: HIT"));
                assertEquals(400, send(c, "GET /origin-form HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                        .status());
                assertEquals(403, send(c, get("http://www.blocked.example/")).status());
                assertEquals(403, send(c, get("http://127.0.0.2:" + port + "/guarded")).status());
                assertEquals(403, send(c, connect("127.0.0.1:1")).status());
                assertEquals(403, send(c, connect("127.0.0.2:" + port)).status());
                assertEquals(2, origin.requests.get(), "only the two misses reached the origin");

                // One tunnel: an HTTP exchange relayed through CONNECT, counted in bytes once it closed.
                byte[] up = ("GET /tunnelled HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1);
                long down;
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), c.forwardPort())) {
                    s.setSoTimeout(30_000);
                    s.getOutputStream().write(connect("127.0.0.1:" + port).getBytes(StandardCharsets.ISO_8859_1));
                    InputStream in = s.getInputStream();
                    String head = readHead(in);
                    assertTrue(head.startsWith("HTTP/1.1 200"), head);
                    assertEquals(1.0, value(scrape(c), "cachalot_forward_tunnels_active", Map.of()), "open now");
                    s.getOutputStream().write(up);
                    ByteArrayOutputStream got = new ByteArrayOutputStream();
                    in.transferTo(got);
                    assertTrue(got.toString(StandardCharsets.ISO_8859_1).endsWith("body of /tunnelled"));
                    down = got.size();
                }
                p = awaitValue(c, "cachalot_forward_tunnels_active", Map.of(), 0);
                p = awaitValue(c, "cachalot_forward_tunnel_bytes_total", Map.of("direction", "down"), down);
                // Answered requests are counted from their exchange record, written when the exchange completes.
                awaitValue(c, "cachalot_forward_requests_total", Map.of("outcome", "forwarded"), 2);
                p = awaitValue(c, "cachalot_forward_requests_total", Map.of("outcome", "cached"), 2);

                assertEquals("counter", p.types.get("cachalot_forward_requests_total"));
                assertEquals(2.0, value(p, "cachalot_forward_requests_total", Map.of("outcome", "forwarded")));
                assertEquals(2.0, value(p, "cachalot_forward_requests_total", Map.of("outcome", "cached")));
                assertEquals(1.0, value(p, "cachalot_forward_requests_total", Map.of("outcome", "bad-target")));
                assertEquals(1.0, value(p, "cachalot_forward_requests_total",
                        Map.of("outcome", "destination-denied")));
                assertEquals(1.0, value(p, "cachalot_forward_requests_total", Map.of("outcome", "address-denied")));
                assertEquals(1.0, value(p, "cachalot_forward_tunnels_total", Map.of("result", "opened")));
                assertEquals(1.0, value(p, "cachalot_forward_tunnels_total", Map.of("result", "destination-denied")));
                assertEquals(1.0, value(p, "cachalot_forward_tunnels_total", Map.of("result", "address-denied")));
                assertEquals("gauge", p.types.get("cachalot_forward_tunnels_active"));
                assertEquals(0.0, value(p, "cachalot_forward_tunnels_active", Map.of()));
                assertEquals((double) up.length, value(p, "cachalot_forward_tunnel_bytes_total",
                        Map.of("direction", "up")));
                assertEquals((double) down, value(p, "cachalot_forward_tunnel_bytes_total",
                        Map.of("direction", "down")));
                // The two /mirror/ requests (a miss and a hit) had their key rewritten and their freshness forced.
                assertEquals(2.0, value(p, "cachalot_forward_rules_applied_total", Map.of("effect", "store-id")));
                assertEquals(2.0, value(p, "cachalot_forward_rules_applied_total", Map.of("effect", "force-ttl")));
                assertEquals(1.0, value(p, "cachalot_rejections_total", Map.of("reason", "forward-target")));
            } finally {
                assertTrue(c.stop(), "drained");
            }
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed in the head: " + head);
            }
            head.append((char) b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
        return head.toString();
    }

    @Test
    void proxyAuthenticationFailuresAreCountedApartFromMissingCredentials() throws Exception {
        Path users = dir.resolve("users");
        Files.writeString(users, "alice:" + PasswordHash.create("wonder".toCharArray(), 1000).format() + "\n");
        try (TestOrigin origin = origin()) {
            Cachalot c = Cachalot.open(ConfigLoader.parse("test", yaml(origin, "  credentials: " + users + "\n")),
                    Clock.systemUTC());
            try {
                String url = "http://127.0.0.1:" + origin.port() + "/auth";
                String good = "Proxy-Authorization: Basic "
                        + Base64.getEncoder().encodeToString("alice:wonder".getBytes(StandardCharsets.UTF_8));
                String bad = "Proxy-Authorization: Basic "
                        + Base64.getEncoder().encodeToString("alice:nope".getBytes(StandardCharsets.UTF_8));
                assertEquals(407, send(c, get(url)).status());
                assertEquals(407, send(c, get(url, bad)).status());
                assertEquals(407, send(c, get(url, bad)).status());
                assertEquals(200, send(c, get(url, good)).status());
                assertEquals(407, send(c, connect("127.0.0.1:443")).status());
                PromText p = awaitValue(c, "cachalot_forward_requests_total", Map.of("outcome", "forwarded"), 1);
                assertEquals(1.0, value(p, "cachalot_forward_requests_total", Map.of("outcome", "auth-required")));
                assertEquals(2.0, value(p, "cachalot_forward_requests_total", Map.of("outcome", "auth-failed")));
                assertEquals(1.0, value(p, "cachalot_forward_requests_total", Map.of("outcome", "forwarded")));
                assertEquals(1.0, value(p, "cachalot_forward_tunnels_total", Map.of("result", "auth-required")));
            } finally {
                assertTrue(c.stop(), "drained");
            }
        }
    }

    @Test
    void clientsOutsideTheAclAreCountedAsClientDenied() throws Exception {
        try (TestOrigin origin = origin()) {
            Cachalot c = Cachalot.open(ConfigLoader.parse("test", yaml(origin, "  clients: [10.0.0.0/8]\n")),
                    Clock.systemUTC());
            try {
                assertEquals(403, send(c, get("http://127.0.0.1:" + origin.port() + "/acl")).status());
                assertEquals(403, send(c, connect("127.0.0.1:443")).status());
                PromText p = scrape(c);
                assertEquals(1.0, value(p, "cachalot_forward_requests_total", Map.of("outcome", "client-denied")));
                assertEquals(1.0, value(p, "cachalot_forward_tunnels_total", Map.of("result", "client-denied")));
                assertEquals(0, origin.requests.get());
            } finally {
                assertTrue(c.stop(), "drained");
            }
        }
    }
}
