package dev.cachalot.forward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Maven through the forward proxy (a {@code <proxy>} in settings.xml) against a Maven-layout
 * repository served by the loopback test origin: the repository is this machine's local Maven
 * repository, read-only, plus one test artifact; every repository is mirrored to it, so Maven never
 * talks to anything else. Two runs with empty, separate local repositories download the plugin, its
 * dependencies and the artifact; the second run adds no origin request and the artifact is
 * byte-identical.
 */
class MavenEndToEndTest extends CachingForwardFixture {
    private static final Path MVN = Path.of("/usr/bin/mvn");
    private static final Path M2 = Path.of(System.getProperty("user.home"), ".m2", "repository");
    private static final String PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.9.0:get";

    private void mvn(Path settings, Path localRepo) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(MVN.toString(), "-B", "-q", "-s", settings.toString(),
                "-Dmaven.repo.local=" + localRepo, PLUGIN, "-Dartifact=org.example.cachalot:demo-lib:1.0",
                "-Dtransitive=false").directory(dir.toFile());
        withoutProxyEnvironment(pb, k -> k.equals("MAVEN_OPTS") || k.equals("MAVEN_ARGS"));
        runLogged(pb, "mvn", 180);
    }

    @Test
    void secondBuildDownloadsEverythingFromTheProxyCache() throws Exception {
        twoBuilds(false, ForwardCacheRules.NONE);
    }

    /**
     * Maven's default headers ({@code Cache-Control: no-cache}, {@code Pragma: no-cache} on every
     * download) with a per-host rule that ignores them for immutable artifacts: the second build is
     * still served entirely by the cache.
     */
    @Test
    void defaultMavenHeadersWithTheIgnoreRequestNoCacheRule() throws Exception {
        List<ForwardHarness.Seen> firstBuild = twoBuilds(true, new ForwardCacheRules(List.of(), List.of(
                ForwardCacheRules.CacheRule.of("maven-artifacts", List.of("127.0.0.1"),
                        "^/maven2/.*\\.(jar|pom|sha1|md5)$", null, java.util.Set.of(), true))));
        assertTrue(firstBuild.stream().anyMatch(s -> String.valueOf(s.headers().get("Pragma")).contains("no-cache")),
                "Maven sent its default no-cache headers: " + firstBuild.get(0).headers());
    }

    /** Two builds with empty local repositories; returns what the origin saw during the first. */
    private List<ForwardHarness.Seen> twoBuilds(boolean mavenDefaultHeaders, ForwardCacheRules rules)
            throws Exception {
        assumeTrue(Files.isExecutable(MVN), "mvn not installed");
        assumeTrue(Files.isRegularFile(M2.resolve(
                "org/apache/maven/plugins/maven-dependency-plugin/3.9.0/maven-dependency-plugin-3.9.0.jar")),
                "maven-dependency-plugin 3.9.0 not in the local repository");
        open("cachalot", 256L << 20, 64L << 20, 100_000);
        h.repository = M2;
        byte[] jar = new byte[256 * 1024];
        new Random(5).nextBytes(jar);
        String base = "/maven2/org/example/cachalot/demo-lib/1.0/demo-lib-1.0";
        h.files.put(base + ".jar", jar);
        h.files.put(base + ".pom", ("<project><modelVersion>4.0.0</modelVersion><groupId>org.example.cachalot"
                + "</groupId><artifactId>demo-lib</artifactId><version>1.0</version></project>")
                .getBytes(StandardCharsets.UTF_8));
        startCaching(ForwardConfig.defaults().withAllowDestinations(List.of(Cidr.parse("127.0.0.1/32")))
                .withCacheRules(rules));
        Path settings = dir.resolve("settings.xml");
        Files.writeString(settings, "<settings>\n"
                + "  <proxies><proxy><id>cachalot</id><active>true</active><protocol>http</protocol>"
                + "<host>127.0.0.1</host><port>" + h.port() + "</port><nonProxyHosts>none.invalid</nonProxyHosts>"
                + "</proxy></proxies>\n"
                + "  <mirrors><mirror><id>local</id><mirrorOf>*</mirrorOf><url>http://127.0.0.1:" + h.originPort()
                + "/maven2</url></mirror></mirrors>\n"
                // Maven's HTTP wagon sends "Cache-Control: no-cache" and "Pragma: no-cache" on every
                // request by default, which makes any RFC 9111 cache go to the origin each time; this
                // wagon switch (useDefaultHeaders) turns that off (docs/forward-proxy.md, Maven).
                + (mavenDefaultHeaders ? "" : "  <servers><server><id>local</id><configuration><httpConfiguration>"
                + "<all><useDefaultHeaders>false</useDefaultHeaders></all></httpConfiguration></configuration>"
                + "</server></servers>\n")
                + "</settings>\n");
        Path repo1 = dir.resolve("repo1");
        Path repo2 = dir.resolve("repo2");
        mvn(settings, repo1);
        int afterFirst = h.originHits.get();
        List<ForwardHarness.Seen> firstBuild = List.copyOf(h.seen);
        assertTrue(afterFirst > 10, "plugin, its dependencies and the artifact went through: " + afterFirst);
        mvn(settings, repo2);
        assertEquals(afterFirst, h.originHits.get(), () -> "second build served by the proxy cache; the origin also saw "
                + h.seen.subList(afterFirst, h.seen.size()).stream().map(ForwardHarness.Seen::uri).toList());
        Path rel = Path.of("org/example/cachalot/demo-lib/1.0/demo-lib-1.0.jar");
        assertArrayEquals(jar, Files.readAllBytes(repo1.resolve(rel)));
        assertArrayEquals(jar, Files.readAllBytes(repo2.resolve(rel)));
        return firstBuild;
    }
}
