package dev.cachalot.forward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * curl against the forward listener ({@code -x}), talking to loopback origins only: plain
 * absolute-form, a CONNECT tunnel ({@code -p}), proxy authentication and a blocked destination.
 * curl is started with {@code -q} (no .curlrc) and an empty environment proxy setting.
 */
class CurlEndToEndTest {
    private static final Path CURL = Path.of("/usr/bin/curl");

    @TempDir
    Path dir;
    private ForwardHarness h;

    @BeforeAll
    static void curlPresent() {
        assumeTrue(Files.isExecutable(CURL), "curl not installed");
    }

    @AfterEach
    void stop() throws IOException {
        if (h != null) {
            h.close();
            assertEquals(0, h.offLoopbackAttempts.get(), "the guard let a non-loopback address through");
        }
    }

    private record Run(int exit, String out, String err) {
    }

    private Run curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(CURL.toString(), "-q", "-sS", "--max-time", "20"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.toLowerCase(java.util.Locale.ROOT).endsWith("_proxy"));
        Path out = dir.resolve("stdout-" + System.nanoTime());
        Path err = dir.resolve("stderr-" + System.nanoTime());
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "curl finished");
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.ISO_8859_1),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private String proxy() {
        return "http://127.0.0.1:" + h.port();
    }

    @Test
    void downloadThroughTheProxyIsByteIdentical() throws Exception {
        h = new ForwardHarness();
        byte[] file = new byte[3 * 1024 * 1024 + 17];
        new Random(42).nextBytes(file);
        h.files.put("/repo/pool/main/big.deb", file);
        h.start(ForwardConfig.defaults().withAllowDestinations(List.of(Cidr.parse("127.0.0.1/32"))));
        Path got = dir.resolve("big.deb");
        Run r = curl("-x", proxy(), "-o", got.toString(), "-w", "%{http_code}",
                "http://127.0.0.1:" + h.originPort() + "/repo/pool/main/big.deb");
        assertEquals(0, r.exit(), r.err());
        assertEquals("200", r.out());
        assertArrayEquals(file, Files.readAllBytes(got));
        assertEquals(1, h.originHits.get());
        assertEquals(null, h.seen.get(0).headers().get("Proxy-connection"));
    }

    @Test
    void curlProxyTunnelUsesConnect() throws Exception {
        h = new ForwardHarness();
        h.files.put("/tunnelled", "through the tunnel".getBytes(StandardCharsets.UTF_8));
        h.start(ForwardConfig.defaults().withAllowDestinations(List.of(Cidr.parse("127.0.0.1/32")))
                .withConnectPorts(Set.of(443, h.originPort())));
        Run r = curl("-p", "-x", proxy(), "http://127.0.0.1:" + h.originPort() + "/tunnelled");
        assertEquals(0, r.exit(), r.err());
        assertEquals("through the tunnel", r.out());
        assertEquals(1, h.connects.size(), "one tunnel connection");
    }

    @Test
    void proxyCredentialsAndRefusals() throws Exception {
        h = new ForwardHarness();
        Path users = dir.resolve("users");
        Files.writeString(users, "alice:" + PasswordHash.create("wonder".toCharArray(), 1000).format() + "\n");
        h.start(ForwardConfig.defaults().withAllowDestinations(List.of(Cidr.parse("127.0.0.1/32")))
                .withCredentials(users));
        h.dns.map("internal.example", "10.0.0.5");
        String url = "http://127.0.0.1:" + h.originPort() + "/x";
        assertEquals("407", curl("-o", "/dev/null", "-w", "%{http_code}", "-x", proxy(), url).out());
        assertEquals("407", curl("-o", "/dev/null", "-w", "%{http_code}", "-x", proxy(), "--proxy-user",
                "alice:nope", url).out());
        assertEquals("200", curl("-o", "/dev/null", "-w", "%{http_code}", "-x", proxy(), "--proxy-user",
                "alice:wonder", url).out());
        assertEquals("403", curl("-o", "/dev/null", "-w", "%{http_code}", "-x", proxy(), "--proxy-user",
                "alice:wonder", "http://internal.example/").out());
        Run tunnel = curl("-p", "-x", proxy(), "--proxy-user", "alice:wonder", "http://internal.example:22/");
        assertTrue(tunnel.exit() != 0 && tunnel.err().contains("403"), tunnel.err());
        assertEquals(1, h.originHits.get());
        assertTrue(h.connects.isEmpty());
    }
}
