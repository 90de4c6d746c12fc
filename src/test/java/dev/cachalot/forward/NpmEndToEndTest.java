package dev.cachalot.forward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * npm through the forward proxy against a local registry served by the loopback test origin: two
 * installs with separate npm caches; the second one is served from Cachalot's cache (origin request
 * count unchanged) and the installed files are byte-identical.
 */
class NpmEndToEndTest extends CachingForwardFixture {
    private static final Path NPM = Path.of("/usr/bin/npm");

    private static void put(byte[] h, int at, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, at, b.length);
    }

    private void npmInstall(Path project, Path cache, String proxy, String registry) throws Exception {
        Files.createDirectories(project);
        Files.writeString(project.resolve("package.json"), "{\"name\":\"consumer\",\"version\":\"1.0.0\"}");
        List<String> cmd = new ArrayList<>(List.of(NPM.toString(), "install", "--no-audit", "--no-fund",
                "--no-update-notifier", "--no-package-lock", "--ignore-scripts", "--cache", cache.toString(),
                "--registry", registry, "--proxy", proxy, "--https-proxy", proxy, "--noproxy", "",
                "--userconfig", dir.resolve("npmrc").toString(), "--fetch-retries", "0", "cachalot-demo@1.0.0"));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(project.toFile());
        withoutProxyEnvironment(pb, k -> k.toLowerCase(Locale.ROOT).startsWith("npm_config"));
        runLogged(pb, "npm", 120);
    }

    @Test
    void secondInstallComesFromTheProxyCache() throws Exception {
        assumeTrue(Files.isExecutable(NPM), "npm not installed");
        open("cachalot", 64L << 20, 32L << 20, 10_000);
        byte[] index = "module.exports = 'served through cachalot';\n".getBytes(StandardCharsets.UTF_8);
        byte[] pkgJson = "{\"name\":\"cachalot-demo\",\"version\":\"1.0.0\",\"main\":\"index.js\"}"
                .getBytes(StandardCharsets.UTF_8);
        // Two files in one tarball: package.json and index.js.
        byte[] tarball = tgz2(pkgJson, index);
        String registry = "http://127.0.0.1:" + h.originPort() + "/";
        String integrity = "sha512-" + Base64.getEncoder().encodeToString(
                MessageDigest.getInstance("SHA-512").digest(tarball));
        String shasum = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(tarball));
        String doc = "{\"name\":\"cachalot-demo\",\"dist-tags\":{\"latest\":\"1.0.0\"},\"versions\":{\"1.0.0\":"
                + "{\"name\":\"cachalot-demo\",\"version\":\"1.0.0\",\"main\":\"index.js\",\"dist\":{\"tarball\":\""
                + registry + "cachalot-demo/-/cachalot-demo-1.0.0.tgz\",\"integrity\":\"" + integrity
                + "\",\"shasum\":\"" + shasum + "\"}}}}";
        h.files.put("/cachalot-demo", doc.getBytes(StandardCharsets.UTF_8));
        h.files.put("/cachalot-demo/-/cachalot-demo-1.0.0.tgz", tarball);
        startCaching(ForwardConfig.defaults().withAllowDestinations(List.of(Cidr.parse("127.0.0.1/32"))));
        String proxy = "http://127.0.0.1:" + h.port();
        npmInstall(dir.resolve("one"), dir.resolve("npm-cache-1"), proxy, registry);
        int afterFirst = h.originHits.get();
        assertTrue(afterFirst >= 2, "metadata and tarball fetched: " + afterFirst);
        npmInstall(dir.resolve("two"), dir.resolve("npm-cache-2"), proxy, registry);
        assertEquals(afterFirst, h.originHits.get(), "second install served by the proxy cache");
        Path f1 = dir.resolve("one/node_modules/cachalot-demo/index.js");
        Path f2 = dir.resolve("two/node_modules/cachalot-demo/index.js");
        assertArrayEquals(index, Files.readAllBytes(f1));
        assertArrayEquals(Files.readAllBytes(f1), Files.readAllBytes(f2));
    }

    /** package.json and index.js in one archive. */
    private static byte[] tgz2(byte[] packageJson, byte[] index) throws IOException {
        ByteArrayOutputStream tar = new ByteArrayOutputStream();
        entry(tar, "package.json", packageJson);
        entry(tar, "index.js", index);
        tar.write(new byte[1024]);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(gz)) {
            g.write(tar.toByteArray());
        }
        return gz.toByteArray();
    }

    private static void entry(ByteArrayOutputStream tar, String name, byte[] content) throws IOException {
        byte[] header = new byte[512];
        put(header, 0, "package/" + name);
        put(header, 100, "0000644\0");
        put(header, 108, "0000000\0");
        put(header, 116, "0000000\0");
        put(header, 124, String.format("%011o\0", content.length));
        put(header, 136, String.format("%011o\0", 1_700_000_000L));
        header[156] = '0';
        put(header, 257, "ustar\0");
        put(header, 263, "00");
        for (int i = 148; i < 156; i++) {
            header[i] = ' ';
        }
        int sum = 0;
        for (byte b : header) {
            sum += b & 0xFF;
        }
        put(header, 148, String.format("%06o\0 ", sum));
        tar.write(header);
        tar.write(content);
        tar.write(new byte[(512 - content.length % 512) % 512]);
    }
}
