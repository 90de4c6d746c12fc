package dev.cachalot.forward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The forward listener in front of the caching pipeline, driven by curl: two users download the same
 * file through the proxy; the second download is a cache hit (origin count unchanged) and both
 * files are byte-identical to the origin's.
 */
class ForwardCachingTest extends CachingForwardFixture {
    private static final Path CURL = Path.of("/usr/bin/curl");

    private String curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(CURL.toString(), "-q", "-sS", "--max-time", "20"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        withoutProxyEnvironment(pb, k -> false);
        Path out = dir.resolve("out-" + System.nanoTime());
        pb.redirectOutput(out.toFile()).redirectErrorStream(false);
        Process p = pb.start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        return Files.readString(out, StandardCharsets.ISO_8859_1);
    }

    @Test
    void secondUserGetsTheFileFromTheCache() throws Exception {
        assumeTrue(Files.isExecutable(CURL), "curl not installed");
        open("cache", 64L << 20, 32L << 20, 10_000);
        byte[] file = new byte[5 * 1024 * 1024 + 3];
        new Random(9).nextBytes(file);
        h.files.put("/maven2/org/example/lib/1.0/lib-1.0.jar", file);
        Path users = dir.resolve("users");
        Files.writeString(users, "alice:" + PasswordHash.create("a-pw".toCharArray(), 1000).format() + "\n"
                + "bob:" + PasswordHash.create("b-pw".toCharArray(), 1000).format() + "\n");
        startCaching(ForwardConfig.defaults().withAllowDestinations(List.of(Cidr.parse("127.0.0.1/32")))
                .withCredentials(users));
        String url = "http://127.0.0.1:" + h.originPort() + "/maven2/org/example/lib/1.0/lib-1.0.jar";
        String proxy = "http://127.0.0.1:" + h.port();
        Path first = dir.resolve("first.jar");
        Path second = dir.resolve("second.jar");
        String head1 = curl("-x", proxy, "--proxy-user", "alice:a-pw", "-D", "-", "-o", first.toString(), url);
        String head2 = curl("-x", proxy, "--proxy-user", "bob:b-pw", "-D", "-", "-o", second.toString(), url);
        assertArrayEquals(file, Files.readAllBytes(first));
        assertArrayEquals(file, Files.readAllBytes(second));
        assertEquals(1, h.originHits.get(), "one origin fetch for two users");
        assertTrue(head2.toLowerCase(java.util.Locale.ROOT).contains("cache-status"), head2);
        assertTrue(head2.contains("hit"), head2);
        assertTrue(head1.startsWith("HTTP/1.1 200"), head1);
    }
}
