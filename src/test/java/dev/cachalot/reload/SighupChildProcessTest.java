package dev.cachalot.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cachalot.e2e.TestOrigin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end through {@code Main} in a child JVM: {@code kill -HUP} makes it reload its
 * configuration file, and a route change takes effect. The child logs to a file the test reads;
 * every wait is bounded (60 s) and keyed to a log line, never to elapsed time.
 */
class SighupChildProcessTest {
    private static final Pattern LISTENING = Pattern.compile("cachalot listening on http://127\\.0\\.0\\.1:(\\d+)");

    @TempDir
    Path dir;

    @Test
    void killHupReloadsTheConfigurationFile() throws Exception {
        assumeTrue(!System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("win"), "no SIGHUP on Windows");
        assumeTrue(Files.isExecutable(Path.of("/bin/kill")) || Files.isExecutable(Path.of("/usr/bin/kill")),
                "no kill command");
        try (TestOrigin a = TestOrigin.fixed("from A"); TestOrigin b = TestOrigin.fixed("from B")) {
            Path config = dir.resolve("cachalot.yaml");
            Files.writeString(config, yaml(a, b, "a"));
            Path log = dir.resolve("child.log");
            List<String> cmd = new ArrayList<>(defaultHangupPrefix());
            cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-Xmx256m");
            cmd.add("-Dlogback.configurationFile=" + Paths.get(getClass().getResource("/logback.xml").toURI()));
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add("dev.cachalot.Main");
            cmd.add("--config");
            cmd.add(config.toString());
            Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                String started = awaitLog(log, child, "listening on http://");
                // A child of a process started with SIGHUP ignored (nohup) inherits that; env resets it
                // where it can (above), and where it cannot the reload by signal cannot be tested here.
                assumeTrue(!started.contains("SIGHUP is ignored by this process"),
                        "SIGHUP is ignored in this environment and could not be reset for the child");
                started = awaitLog(log, child, "SIGHUP reloads the configuration");
                Matcher m = LISTENING.matcher(awaitLog(log, child, "cachalot listening on http://"));
                assertTrue(m.find(), started);
                int port = Integer.parseInt(m.group(1));
                assertEquals("from A", get(port));

                Files.writeString(config, yaml(a, b, "b")); // a route change: the default route
                Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(child.pid())).start();
                assertTrue(kill.waitFor(60, TimeUnit.SECONDS));
                assertEquals(0, kill.exitValue());
                awaitLog(log, child, "reload (SIGHUP) applied");
                assertEquals("from B", get(port), "the reloaded route is in force");
                assertTrue(child.isAlive(), "SIGHUP did not stop the process");
            } finally {
                child.destroy(); // SIGTERM: the graceful drain
                if (!child.waitFor(60, TimeUnit.SECONDS)) {
                    child.destroyForcibly();
                }
            }
        }
    }

    /**
     * {@code env --default-signal=HUP} (GNU coreutils 8.31+) when it works here: it gives the child
     * the default SIGHUP disposition even when this JVM was started with SIGHUP ignored (under nohup,
     * whose ignore every child inherits); empty otherwise.
     */
    private static List<String> defaultHangupPrefix() throws InterruptedException {
        try {
            Process p = new ProcessBuilder("env", "--default-signal=HUP", "true").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return List.of("env", "--default-signal=HUP");
            }
        } catch (IOException e) {
            // no env command: start the child directly
        }
        return List.of();
    }

    /** Routes a (origin A) and b (origin B); requests to 127.0.0.1 take {@code defaultRoute}. */
    private static String yaml(TestOrigin a, TestOrigin b, String defaultRoute) {
        return "server:\n  listen: 127.0.0.1:0\n  shutdownTimeout: 1s\n  defaultRoute: " + defaultRoute + "\n"
                + "admin:\n  enabled: false\n"
                + "cache:\n  enabled: false\n"
                + "accessLog:\n  enabled: false\n"
                + "metrics:\n  jvm: false\n"
                + "routes:\n  - name: a\n    hosts: [a.test]\n    origin: " + a.url() + "\n"
                + "  - name: b\n    hosts: [b.test]\n    origin: " + b.url() + "\n";
    }

    private static String get(int port) throws Exception {
        HttpClient c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    /** Waits (up to 60 s) until the child's log contains {@code text}; returns the log. */
    private static String awaitLog(Path log, Process child, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String s = "";
        while (System.nanoTime() < deadline) {
            s = Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
            if (s.contains(text)) {
                return s;
            }
            if (!child.isAlive()) {
                break;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("child log never said '" + text + "' (alive: " + child.isAlive() + ")\n" + s);
    }
}
