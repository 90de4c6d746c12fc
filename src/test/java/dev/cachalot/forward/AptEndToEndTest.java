package dev.cachalot.forward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * apt through the forward proxy ({@code -o Acquire::http::Proxy=...}) against a small Debian
 * repository (one package built with dpkg-deb) served by the loopback test origin. apt runs
 * entirely on private directories (state, cache, sources list, status file), so it never touches
 * the machine's apt state. Two runs with separate state: {@code apt-get update} then
 * {@code apt-get download}; the package is fetched from the origin once and both downloads are
 * byte-identical. apt sends {@code Cache-Control: max-age=0} for index files (Release, Packages),
 * so a per-host rule that ignores it for the repository's index files makes the second run
 * entirely a cache hit. Skipped when apt-get or dpkg-deb is missing.
 */
class AptEndToEndTest extends CachingForwardFixture {
    private static final Path APT_GET = Path.of("/usr/bin/apt-get");
    private static final Path DPKG_DEB = Path.of("/usr/bin/dpkg-deb");
    private static final String PKG = "cachalot-hello";
    private static final String POOL = "/debian/pool/main/c/cachalot-hello/cachalot-hello_1.0_amd64.deb";

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** Builds the package with dpkg-deb and returns its bytes. */
    private byte[] buildDeb() throws Exception {
        Path root = dir.resolve("pkg");
        Files.createDirectories(root.resolve("DEBIAN"));
        Files.createDirectories(root.resolve("usr/share/cachalot-hello"));
        Files.writeString(root.resolve("DEBIAN/control"), "Package: " + PKG + "\nVersion: 1.0\nArchitecture: amd64\n"
                + "Maintainer: Cachalot Tests <tests@example.invalid>\nDescription: test package for the forward proxy\n");
        byte[] payload = new byte[1024 * 1024];
        new Random(11).nextBytes(payload);
        Files.write(root.resolve("usr/share/cachalot-hello/payload.bin"), payload);
        Path deb = dir.resolve("cachalot-hello_1.0_amd64.deb");
        runLogged(new ProcessBuilder(DPKG_DEB.toString(), "--root-owner-group", "-Zgzip", "--build", root.toString(),
                deb.toString()), "dpkg-deb", 120);
        return Files.readAllBytes(deb);
    }

    /** Publishes the repository (dists/stable with an unsigned Release, main/binary-amd64/Packages, the pool). */
    private void publish(byte[] deb) throws Exception {
        h.files.put(POOL, deb);
        String packages = "Package: " + PKG + "\nVersion: 1.0\nArchitecture: amd64\n"
                + "Maintainer: Cachalot Tests <tests@example.invalid>\nFilename: " + POOL.substring("/debian/".length())
                + "\nSize: " + deb.length + "\nSHA256: " + sha256(deb) + "\nDescription: test package for the forward proxy\n\n";
        byte[] p = packages.getBytes(StandardCharsets.UTF_8);
        h.files.put("/debian/dists/stable/main/binary-amd64/Packages", p);
        String date = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'UTC'", Locale.ROOT)
                .format(Instant.now().minusSeconds(3600).atZone(ZoneOffset.UTC));
        String release = "Origin: cachalot-test\nLabel: cachalot-test\nSuite: stable\nCodename: stable\nDate: " + date
                + "\nArchitectures: amd64\nComponents: main\nDescription: forward proxy test repository\nSHA256:\n "
                + sha256(p) + " " + p.length + " main/binary-amd64/Packages\n";
        h.files.put("/debian/dists/stable/Release", release.getBytes(StandardCharsets.UTF_8));
        h.unknownIsNotFound = true; // InRelease, Release.gpg, translations: 404 (also cached, max-age=60)
    }

    /** One apt run with its own state: update, then download the package into {@code run/dl}. */
    private Path aptRun(String name) throws Exception {
        Path run = dir.resolve(name);
        for (String d : List.of("state/lists/partial", "cache/archives/partial", "etc/sources.list.d",
                "etc/preferences.d", "etc/apt.conf.d", "etc/trusted.gpg.d", "dl")) {
            Files.createDirectories(run.resolve(d));
        }
        Files.writeString(run.resolve("status"), "");
        Files.writeString(run.resolve("etc/sources.list"), "deb [trusted=yes] http://127.0.0.1:" + h.originPort()
                + "/debian stable main\n");
        List<String> common = new ArrayList<>(List.of(APT_GET.toString(), "-q", "-y",
                "-o", "Dir::State=" + run.resolve("state"),
                "-o", "Dir::State::status=" + run.resolve("status"),
                "-o", "Dir::Cache=" + run.resolve("cache"),
                "-o", "Dir::Etc=" + run.resolve("etc"),
                "-o", "Dir::Etc::SourceList=" + run.resolve("etc/sources.list"),
                "-o", "Dir::Etc::SourceParts=" + run.resolve("etc/sources.list.d"),
                "-o", "Dir::Etc::Parts=" + run.resolve("etc/apt.conf.d"),
                "-o", "Dir::Etc::PreferencesParts=" + run.resolve("etc/preferences.d"),
                "-o", "Debug::NoLocking=1",
                "-o", "APT::Sandbox::User=root",
                "-o", "APT::Architecture=amd64",
                "-o", "APT::Architectures=amd64",
                "-o", "Acquire::Languages=none",
                "-o", "Acquire::Retries=0",
                "-o", "Acquire::http::Proxy=http://127.0.0.1:" + h.port() + "/"));
        List<String> update = new ArrayList<>(common);
        update.add("update");
        runLogged(withoutProxyEnvironment(new ProcessBuilder(update).directory(run.toFile()), k -> k.startsWith("APT")),
                "apt-update-" + name, 180);
        List<String> download = new ArrayList<>(common);
        download.addAll(List.of("download", PKG));
        runLogged(withoutProxyEnvironment(new ProcessBuilder(download).directory(run.resolve("dl").toFile()),
                k -> k.startsWith("APT")), "apt-download-" + name, 180);
        return run.resolve("dl/cachalot-hello_1.0_amd64.deb");
    }

    private long originRequestsFor(String path) {
        return h.seen.stream().filter(s -> s.uri().equals(path)).count();
    }

    @Test
    void secondAptRunDownloadsThePackageFromTheCache() throws Exception {
        assumeTrue(Files.isExecutable(APT_GET), "apt-get not installed: apt end-to-end test skipped");
        assumeTrue(Files.isExecutable(DPKG_DEB), "dpkg-deb not installed: apt end-to-end test skipped");
        open("cache", 64L << 20, 16L << 20, 10_000);
        byte[] deb = buildDeb();
        publish(deb);
        startCaching(ForwardConfig.defaults().withAllowDestinations(List.of(Cidr.parse("127.0.0.1/32")))
                .withCacheRules(new ForwardCacheRules(List.of(), List.of(
                        ForwardCacheRules.CacheRule.of("debs", List.of(), "/pool/.*\\.deb$",
                                java.time.Duration.ofDays(30), Set.of(), true),
                        ForwardCacheRules.CacheRule.of("apt-indexes", List.of("127.0.0.1"),
                                "/dists/.*(Release|Release\\.gpg|Packages)$", null, Set.of(), true)))));
        Path first = aptRun("run1");
        int afterFirst = h.originHits.get();
        assertEquals(1, originRequestsFor(POOL), "the package went through the proxy once");
        Path second = aptRun("run2");
        assertArrayEquals(deb, Files.readAllBytes(first));
        assertArrayEquals(deb, Files.readAllBytes(second));
        assertEquals(1, originRequestsFor(POOL), "the second download came from the cache");
        assertEquals(afterFirst, h.originHits.get(), () -> "the second run was served by the cache; the origin saw "
                + h.seen.subList(afterFirst, h.seen.size()).stream().map(ForwardHarness.Seen::uri).toList());
        assertTrue(h.seen.stream().anyMatch(s -> String.valueOf(s.headers().get("Cache-control")).contains("max-age=0")),
                "apt sent max-age=0 for its index files: " + h.seen.get(0).headers());
    }
}
