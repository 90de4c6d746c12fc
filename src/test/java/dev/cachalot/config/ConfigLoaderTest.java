package dev.cachalot.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    private static Path reference() {
        // Tests run in the module directory (src/); the reference file is at the repository root.
        Path p = Path.of("../config/cachalot.yaml");
        return Files.exists(p) ? p : Path.of("config/cachalot.yaml");
    }

    @Test
    void defaultsWorkWithoutAFile() {
        CachalotConfig c = ConfigLoader.defaults();
        assertEquals(new HostPort("127.0.0.1", 8080), c.server().listen());
        assertEquals(new HostPort("127.0.0.1", 9090), c.admin().listen());
        assertEquals("http://127.0.0.1:8081", c.routes().get(0).origin());
        assertEquals("default", c.server().defaultRoute());
        assertEquals(java.nio.file.Path.of("var/cache"), c.store().directory());
        assertEquals(1L << 30, c.store().maxObjectBytes());
    }

    @Test
    void referenceFileEqualsTheDefaultsAndListsEveryKey() throws Exception {
        String yaml = Files.readString(reference());
        assertEquals(ConfigLoader.defaults(), ConfigLoader.parse("cachalot.yaml", yaml),
                "config/cachalot.yaml must show the built-in defaults");
        Set<String> missing = ConfigLoader.defaultedKeys("cachalot.yaml", yaml);
        assertEquals(Set.of(), missing, "keys not documented in config/cachalot.yaml");
    }

    @Test
    void examplesLoad() throws Exception {
        Path dir = reference().getParent().resolve("examples");
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                ConfigLoader.load(f);
            }
        }
    }

    @Test
    void unknownKeyNamesFileKeyAndRule() {
        ConfigException e = ConfigErrors.rejected("my.yaml", "server:\n  limits:\n    maxConnection: 5\n",
                "server.limits.maxConnection", "5");
        assertEquals("unknown key", e.rule());
        assertTrue(e.getMessage().startsWith("my.yaml: server.limits.maxConnection = 5: unknown key"), e.getMessage());
    }

    @Test
    void unknownTopLevelSectionIsRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("f", "cahce:\n  x: 1\n"));
        assertEquals("cahce", e.key());
    }

    @Test
    void badValuesNameKeyValueAndRule() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse("f", "server:\n  limits:\n    maxConnections: 0\n"));
        assertEquals("server.limits.maxConnections", e.key());
        assertEquals("0", e.value());
        assertTrue(e.rule().contains("from 1 to"), e.rule());

        e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("f", "server:\n  listen: localhost\n"));
        assertEquals("server.listen", e.key());
        assertTrue(e.rule().contains("HOST:PORT"));

        e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("f", "origin:\n  responseTimeout: 10\n"));
        assertEquals("origin.responseTimeout", e.key());
        assertTrue(e.rule().contains("duration"));

        e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("f", "store:\n  memorySize: lots\n"));
        assertEquals("store.memorySize", e.key());

        e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("f", "server:\n  trustedProxies: [10.0.0.0/33]\n"));
        assertEquals("server.trustedProxies[0]", e.key());

        e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("f", "server:\n  unknownHost: teapot\n"));
        assertEquals("server.unknownHost", e.key());

        e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("f",
                "routes:\n  - name: a\n    origin: http://127.0.0.1:1/path\n"));
        assertEquals("routes[0].origin", e.key());

        e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("f", "server:\n  tls:\n    enabled: true\n"));
        assertEquals("server.tls.certificate", e.key());

        e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("f", "server: [1, 2]\n"));
        assertEquals("server", e.key());

        e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("f", "server:\n  listen: [\n"));
        assertTrue(e.rule().contains("not valid YAML"), e.rule());
    }

    @Test
    void crossReferencesAreChecked() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("f",
                "server:\n  defaultRoute: nope\nroutes:\n  - name: a\n    origin: http://127.0.0.1:1\n"));
        assertEquals("server.defaultRoute", e.key());
        e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("f",
                "server:\n  defaultRoute: a\nroutes:\n  - name: a\n    hosts: [x]\n    origin: http://127.0.0.1:1\n"
                        + "  - name: b\n    hosts: [X]\n    origin: http://127.0.0.1:2\n"));
        assertEquals("routes[1].hosts", e.key());
        assertTrue(e.rule().contains("claimed by route a"));
    }

    @Test
    void valuesAreBound() {
        CachalotConfig c = ConfigLoader.parse("f", "server:\n  listen: \"[::1]:0\"\n  limits:\n    idleTimeout: 500ms\n"
                + "    maxHeaderBytes: 16KiB\nstore:\n  diskSize: 2GiB\n");
        assertEquals(new HostPort("::1", 0), c.server().listen());
        assertEquals(Duration.ofMillis(500), c.server().limits().idleTimeout());
        assertEquals(16384, c.server().limits().maxHeaderBytes());
        assertEquals(2L << 30, c.store().diskMaxBytes());
    }

    @Test
    void commandLineOverrides() {
        CachalotConfig c = ConfigLoader.override(ConfigLoader.defaults(), "127.0.0.1:7000", "http://127.0.0.1:7001",
                "127.0.0.1:7002", "secret", "/tmp/c");
        assertEquals(7000, c.server().listen().port());
        assertEquals(1, c.routes().size());
        assertEquals("http://127.0.0.1:7001", c.routes().get(0).origin());
        assertEquals("default", c.server().defaultRoute());
        assertEquals(7002, c.admin().listen().port());
        assertEquals("secret", c.admin().token());
        assertEquals(java.nio.file.Path.of("/tmp/c"), c.store().directory());
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.override(ConfigLoader.defaults(), "nope", null, null, null, null));
        assertEquals("command line", e.source());
        assertEquals("--listen", e.key());
        e = assertThrows(ConfigException.class,
                () -> ConfigLoader.override(ConfigLoader.defaults(), null, "ftp://x", null, null, null));
        assertEquals("--origin", e.key());
    }

    @Test
    void cacheSectionsBindAndNameTheirKeys() {
        CachalotConfig c = ConfigLoader.parse("f", "store:\n  memorySize: 64MiB\n  chunkSize: 16KiB\n"
                + "pipeline:\n  collapseWait: 2s\n  revalidationThreads: 4\n"
                + "cache:\n  enabled: false\n  heuristicCap: 2d\n  heuristicFraction: 0.25\n  statusHeader: false\n"
                + "  setCookiePolicy: DONT_STORE\n"
                + "accessLog:\n  format: json\nmetrics:\n  jmx: true\n"
                + "routes:\n  - name: default\n    origin: http://127.0.0.1:1\n    forceTtl: 5m\n"
                + "    ignoredDirectives: [no-cache]\n    bypassPathPrefixes: [/api/]\n");
        assertEquals(64L << 20, c.store().memoryMaxBytes());
        assertEquals(16384, c.store().chunkBytes());
        assertEquals(Duration.ofSeconds(2), c.pipeline().collapseWait());
        assertEquals(4, c.pipeline().revalidationThreads());
        assertEquals(false, c.cache().enabled());
        assertEquals(Duration.ofDays(2), c.cache().policy().heuristicCap());
        assertEquals(0.25, c.cache().policy().heuristicFraction());
        assertEquals(null, c.cache().policy().statusHeader(), "false turns the status header off");
        assertEquals(dev.cachalot.policy.SetCookiePolicy.DONT_STORE, c.cache().policy().setCookiePolicy());
        assertEquals("json", c.accessLog().format());
        assertTrue(c.metrics().jmx());
        assertEquals(Duration.ofMinutes(5), c.overridesFor("default").forceTtl());
        assertEquals(Set.of("no-cache"), c.overridesFor("default").ignoredDirectives());
        assertEquals("/api/", c.overridesFor("default").bypassPrefixFor("/api/x"));
    }

    @Test
    void storeDefaultsAreTheStoresOwn() {
        assertEquals(dev.cachalot.store.StoreConfig.defaults(), ConfigLoader.defaults().store());
        assertEquals(dev.cachalot.pipeline.PipelineConfig.defaults(), ConfigLoader.defaults().pipeline());
        assertEquals(dev.cachalot.policy.PolicyConfig.defaults(), ConfigLoader.defaults().cache().policy());
    }

    @Test
    void badCacheValuesNameTheFileKeyValueAndRule() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.parse("f.yaml", "store:\n  maxObjectSize: 2GiB\n  diskSize: 1GiB\n"));
        assertEquals("f.yaml", e.source());
        assertEquals("store.maxObjectSize", e.key(), "the store's own key is mapped to the file's");
        assertTrue(e.rule().contains("store.diskSize"), e.rule());
        e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("f", "pipeline:\n  revalidationThreads: 0\n"));
        assertEquals("pipeline.revalidationThreads", e.key());
        e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("f", "pipeline:\n  maxFollowerLag: 1KiB\n"));
        assertEquals("pipeline.maxFollowerLag", e.key());
        e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("f", "cache:\n  setCookiePolicy: eat\n"));
        assertEquals("cache.setCookiePolicy", e.key());
        assertEquals("eat", e.value());
        e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("f", "cache:\n  heuristicFraction: 2\n"));
        assertEquals("cache.heuristicFraction", e.key());
        e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("f", "cache:\n  statusHeader: \"X Bad\"\n"));
        assertEquals("cache.statusHeader", e.key());
        e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("f", "cache:\n  stale: 1\n"));
        assertEquals("cache.stale", e.key());
        assertEquals("unknown key", e.rule());
        e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("f", "accessLog:\n  format: \"%{nope}\"\n"));
        assertEquals("accessLog.format", e.key());
        e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("f",
                "routes:\n  - name: a\n    origin: http://127.0.0.1:1\n    forceTtl: soon\n"));
        assertEquals("routes[0].forceTtl", e.key());
        e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("f",
                "routes:\n  - name: a\n    origin: http://127.0.0.1:1\n    bypassPathPrefixes: [api]\n"));
        assertEquals("routes[0].bypassPathPrefixes[0]", e.key());
        e = assertThrows(ConfigException.class,
                () -> ConfigLoader.override(ConfigLoader.defaults(), null, null, null, null, " "));
        assertEquals("--cache-dir", e.key());
    }

    @Test
    void purgeSectionBindsWithItsDefaults() {
        assertEquals(dev.cachalot.purge.PurgeConfig.DEFAULTS, ConfigLoader.defaults().purge());
        CachalotConfig c = ConfigLoader.parse("f", "purge:\n  enabled: true\n  allowFrom: [10.0.0.0/8, \"fd00::/8\"]\n"
                + "  tagHeaders: [X-Tags]\n  stripTagHeaders: false\n");
        assertTrue(c.purge().enabled());
        assertTrue(c.purge().allows("10.9.8.7"));
        assertTrue(c.purge().allows("fd00::1"));
        assertEquals(false, c.purge().allows("127.0.0.1"));
        assertEquals(java.util.List.of("X-Tags"), c.purge().tagHeaders());
        assertEquals(false, c.purge().stripTagHeaders());
    }

    @Test
    void badPurgeValuesNameTheFileKeyValueAndRule() {
        ConfigException e = ConfigErrors.rejected("p.yaml", "purge:\n  enabeld: true\n", "purge.enabeld", "true");
        assertEquals("unknown key", e.rule());
        e = ConfigErrors.rejected("p.yaml", "purge:\n  allowFrom: [127.0.0.1/32, 10.0.0.1/8]\n",
                "purge.allowFrom[1]", "10.0.0.1/8");
        assertTrue(e.rule().startsWith("must be an IP address or CIDR range") && e.rule().contains("host bits"),
                e.rule());
        assertTrue(e.getMessage().startsWith("p.yaml: purge.allowFrom[1] = 10.0.0.1/8: must be"), e.getMessage());
        e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("p.yaml",
                "purge:\n  enabled: true\n  allowFrom: []\n"));
        assertEquals("purge.allowFrom", e.key());
        assertEquals("[]", e.value());
        assertTrue(e.rule().startsWith("must name at least one range"), e.rule());
        e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("p.yaml",
                "purge:\n  tagHeaders: [\"Cache Tag\"]\n"));
        assertEquals("purge.tagHeaders[0]", e.key());
        assertEquals("Cache Tag", e.value());
        e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("p.yaml", "purge:\n  enabled: yes please\n"));
        assertEquals("purge.enabled", e.key());
    }

    @Test
    void forwardSectionBindsAndIsOffByDefault() {
        assertEquals(false, ConfigLoader.defaults().forward().enabled());
        assertEquals(dev.cachalot.forward.ForwardConfig.defaults(), ConfigLoader.defaults().forward());
        CachalotConfig c = ConfigLoader.parse("f", "forward:\n  listen: 127.0.0.1:3128\n"
                + "  allowDestinations: [127.0.0.1/32]\n  connectPorts: [443, 8443]\n");
        assertTrue(c.forward().enabled());
        assertEquals(new HostPort("127.0.0.1", 3128), c.forward().listen());
        assertEquals(java.util.List.of(dev.cachalot.forward.Cidr.parse("127.0.0.1/32")),
                c.forward().allowDestinations());
        assertEquals(Set.of(443, 8443), c.forward().connectPorts());
    }

    @Test
    void badForwardValuesNameTheFileKeyValueAndRule() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("fw.yaml",
                "forward:\n  listn: 127.0.0.1:3128\n"));
        assertEquals("fw.yaml", e.source());
        assertEquals("forward.listn", e.key());
        assertEquals("unknown key", e.rule());
        e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("fw.yaml", "forward:\n  listen: nowhere\n"));
        assertEquals("forward.listen", e.key());
        assertEquals("nowhere", e.value());
        e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("fw.yaml",
                "forward:\n  allowDestinations: [10.0.0.1/8]\n"));
        assertEquals("forward.allowDestinations", e.key());
        assertEquals("10.0.0.1/8", e.value());
    }
}
