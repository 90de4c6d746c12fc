package dev.cachalot.resilience;

import dev.cachalot.Cachalot;
import dev.cachalot.config.ConfigLoader;
import dev.cachalot.testing.MutableClock;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The whole cache as {@code Main} assembles it ({@link Cachalot#open}: store (memory tier only),
 * pipeline, metrics, admin), on 127.0.0.1 and ephemeral ports, in front of one origin URL, with a clock the test
 * moves by hand. Extra YAML is spliced into the {@code server:} section and appended at top level.
 */
final class CacheUnderTest implements AutoCloseable {
    final MutableClock clock = new MutableClock(Instant.now());
    final Cachalot cachalot;

    /**
     * @param dir          store directory
     * @param originUrl    the default route's origin
     * @param serverYaml   lines inside {@code server:} (indented by two spaces), or ""
     * @param topYaml      further top-level sections (e.g. {@code origin:}), or ""
     */
    CacheUnderTest(Path dir, String originUrl, String serverYaml, String topYaml) throws Exception {
        String yaml = "server:\n  listen: 127.0.0.1:0\n  shutdownTimeout: 2s\n" + serverYaml
                + "admin:\n  listen: 127.0.0.1:0\n"
                + "accessLog:\n  enabled: false\n"
                // Memory tier only: opening (and rebuilding) a disk tier takes seconds on a loaded
                // machine, and these tests are about the front end, the origin client and the pipeline.
                + "store:\n  dir: " + dir.resolve("cache") + "\n  diskEnabled: false\n  memorySize: 192MiB\n"
                + "  memoryMaxObjectSize: 96MiB\n  maxObjectSize: 96MiB\n"
                + topYaml
                + "routes:\n  - name: default\n    origin: " + originUrl + "\n";
        this.cachalot = Cachalot.open(ConfigLoader.parse("resilience-test", yaml), clock);
    }

    int port() {
        return cachalot.port();
    }

    /** The admin listener's Prometheus text. */
    String metrics() throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), cachalot.adminPort())) {
            s.setSoTimeout(Http1.READ_TIMEOUT_MS);
            s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The value of the first sample of {@code name} whose line contains {@code labelPart} ("" for any). */
    double metric(String name, String labelPart) throws IOException {
        for (String line : metrics().split("\n")) {
            if (line.startsWith(name) && (line.charAt(name.length()) == ' ' || line.charAt(name.length()) == '{')
                    && line.contains(labelPart)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Double.NaN;
    }

    /** Waits (bounded, 30 s) until a stored response for {@code path} is answered as a HIT. */
    void awaitHit(String path) throws Exception {
        await("a HIT for " + path, () -> {
            try {
                return "HIT".equals(Http1.get(port(), path).header("X-Cache-Status"));
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** Polls {@code condition} every 20 ms for at most 30 s. */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after 30 s waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() {
        cachalot.close();
    }
}
