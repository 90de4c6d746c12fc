package dev.cachalot.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.config.ConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ForwardConfigTest {
    @Test
    void defaultsAreSafe() {
        ForwardConfig d = ForwardConfig.read("x.yaml", null);
        assertFalse(d.enabled());
        assertEquals(Set.of(443), d.connectPorts());
        assertTrue(d.allowDestinations().isEmpty());
        assertNull(d.credentials());
        assertFalse(d.clientAcl().admits("8.8.8.8"));
        assertTrue(d.clientAcl().admits("127.0.0.1"));
        assertFalse(d.guard().check(Cidr.literal("127.0.0.1")).allowed());
    }

    @Test
    void readsEveryKey() {
        ForwardConfig c = ForwardConfig.read("x.yaml", Map.ofEntries(
                Map.entry("listen", "127.0.0.1:3128"),
                Map.entry("connectPorts", List.of(443, "8443")),
                Map.entry("httpPorts", "80,8000-8002"),
                Map.entry("allowDestinations", List.of("127.0.0.1/32")),
                Map.entry("denyDestinations", List.of("203.0.114.0/24")),
                Map.entry("rules", List.of("deny *.corp.example")),
                Map.entry("clients", List.of("127.0.0.0/8")),
                Map.entry("credentials", "/etc/cachalot/users"),
                Map.entry("realm", "office"),
                Map.entry("connectTimeout", "5s"),
                Map.entry("tunnelIdleTimeout", "PT2M"),
                Map.entry("maxTunnels", 10),
                Map.entry("tunnelBufferBytes", 8192)));
        assertEquals("127.0.0.1:3128", c.listen().toString());
        assertEquals(Set.of(443, 8443), c.connectPorts());
        assertEquals(Set.of(80, 8000, 8001, 8002), c.httpPorts());
        assertTrue(c.guard().check(Cidr.literal("127.0.0.1")).allowed());
        assertFalse(c.destinationRules().check("a.corp.example", 443, true).allowed());
        assertEquals("office", c.realm());
        assertEquals(Duration.ofSeconds(5), c.connectTimeout());
        assertEquals(Duration.ofMinutes(2), c.tunnelIdleTimeout());
        assertEquals(10, c.maxTunnels());
    }

    @Test
    void badValuesNameSourceKeyValueAndRule() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ForwardConfig.read("x.yaml", Map.of("allowDestinations", List.of("10.0.0.1/8"))));
        assertEquals("forward.allowDestinations", e.key());
        assertEquals("10.0.0.1/8", e.value());
        assertTrue(e.rule().contains("host bits"));
        assertEquals("forward.listen", assertThrows(ConfigException.class,
                () -> ForwardConfig.read("x.yaml", Map.of("listen", "nohost"))).key());
        assertEquals("forward.connectPorts", assertThrows(ConfigException.class,
                () -> ForwardConfig.read("x.yaml", Map.of("connectPorts", List.of(70000)))).key());
        assertEquals("forward.tunnelIdleTimeout", assertThrows(ConfigException.class,
                () -> ForwardConfig.read("x.yaml", Map.of("tunnelIdleTimeout", "soon"))).key());
        assertEquals("forward.maxTunnels", assertThrows(ConfigException.class,
                () -> ForwardConfig.read("x.yaml", Map.of("maxTunnels", 0))).key());
        assertEquals("forward.bogus", assertThrows(ConfigException.class,
                () -> ForwardConfig.read("x.yaml", Map.of("bogus", 1))).key());
        assertEquals("forward.realm", assertThrows(ConfigException.class,
                () -> ForwardConfig.read("x.yaml", Map.of("realm", "a\"b"))).key());
    }

    @Test
    void commandLineExceptionsAdd() {
        ForwardConfig c = ForwardConfig.defaults().withAllowDestinations(List.of(Cidr.parse("127.0.0.1/32")));
        assertTrue(c.guard().check(Cidr.literal("127.0.0.1")).allowed());
        assertFalse(c.guard().check(Cidr.literal("127.0.0.2")).allowed());
    }

    @Test
    void commandLineFlags() {
        ForwardConfig c = ForwardConfig.defaults().withCommandLine("127.0.0.1:3128", List.of("127.0.0.1/32", "::1"));
        assertTrue(c.enabled());
        assertEquals(3128, c.listen().port());
        assertTrue(c.guard().check(Cidr.literal("::1")).allowed());
        assertFalse(ForwardConfig.defaults().withCommandLine(null, List.of()).enabled());
        ConfigException e = assertThrows(ConfigException.class,
                () -> ForwardConfig.defaults().withCommandLine(null, List.of("localhost")));
        assertEquals("--allow-destination", e.key());
        assertEquals("--forward-listen", assertThrows(ConfigException.class,
                () -> ForwardConfig.defaults().withCommandLine("3128", List.of())).key());
    }

    /** The loader's node for a YAML text (its constructor is package-private; tests reach it reflectively). */
    private static dev.cachalot.config.ConfigNode node(String yaml) throws Exception {
        com.fasterxml.jackson.databind.JsonNode tree = new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(yaml);
        java.lang.reflect.Constructor<dev.cachalot.config.ConfigNode> c = dev.cachalot.config.ConfigNode.class
                .getDeclaredConstructor(String.class, String.class, com.fasterxml.jackson.databind.JsonNode.class);
        c.setAccessible(true);
        return c.newInstance("x.yaml", "forward", tree);
    }

    @Test
    void readsThroughTheLoadersConfigNode() throws Exception {
        ForwardConfig c = ForwardConfig.from(node("listen: 127.0.0.1:3128\nconnectPorts: [443, 8443]\n"
                + "httpPorts: ['80', '8000-8001']\nallowDestinations: [127.0.0.1/32]\nrules: ['deny *.corp.example']\n"
                + "clients: [10.0.0.0/8]\ncredentials: /etc/cachalot/users\nrealm: office\n"
                + "connectTimeout: 5s\ntunnelIdleTimeout: 2m\nmaxTunnels: 8\ntunnelBufferBytes: 4096\n"));
        assertEquals(3128, c.listen().port());
        assertEquals(Set.of(443, 8443), c.connectPorts());
        assertEquals(Set.of(80, 8000, 8001), c.httpPorts());
        assertTrue(c.guard().check(Cidr.literal("127.0.0.1")).allowed());
        assertFalse(c.destinationRules().check("a.corp.example", 443, true).allowed());
        assertFalse(c.clientAcl().admits("127.0.0.1"));
        assertEquals("office", c.realm());
        assertEquals(Duration.ofMinutes(2), c.tunnelIdleTimeout());
        assertEquals(8, c.maxTunnels());
        ForwardConfig d = ForwardConfig.from(node("{}"));
        assertFalse(d.enabled());
        assertEquals(Set.of(443), d.connectPorts());
        ConfigException e = assertThrows(ConfigException.class,
                () -> ForwardConfig.from(node("allowDestinations: [10.0.0.1/8]")));
        assertEquals("forward.allowDestinations", e.key());
        assertEquals("x.yaml", e.source());
        assertEquals("forward.bogus", assertThrows(ConfigException.class,
                () -> ForwardConfig.from(node("bogus: 1"))).key());
        assertEquals("forward.listen", assertThrows(ConfigException.class,
                () -> ForwardConfig.from(node("listen: nohost"))).key());
        assertEquals("forward.maxTunnels", assertThrows(ConfigException.class,
                () -> ForwardConfig.from(node("maxTunnels: 0"))).key());
    }
}
