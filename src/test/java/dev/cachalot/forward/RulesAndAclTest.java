package dev.cachalot.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RulesAndAclTest {
    @Test
    void hostPatterns() {
        HostPattern exact = HostPattern.parse("Repo.Example.com");
        assertTrue(exact.matches("repo.example.com."));
        assertFalse(exact.matches("x.repo.example.com"));
        HostPattern suffix = HostPattern.parse("*.example.com");
        assertTrue(suffix.matches("a.b.EXAMPLE.com"));
        assertFalse(suffix.matches("example.com"));
        assertFalse(suffix.matches("badexample.com"));
        assertTrue(HostPattern.parse("*").matches("anything"));
        assertThrows(IllegalArgumentException.class, () -> HostPattern.parse("a*.example.com"));
        assertThrows(IllegalArgumentException.class, () -> HostPattern.parse(""));
    }

    @Test
    void connectDefaultsTo443Only() {
        DestinationRules r = new DestinationRules(List.of(), Set.of(), Set.of(443));
        assertTrue(r.check("example.com", 443, true).allowed());
        DestinationRules.Decision d = r.check("example.com", 22, true);
        assertFalse(d.allowed());
        assertEquals("CONNECT to port 22 is not allowed", d.reason());
        assertTrue(r.check("example.com", 8080, false).allowed(), "empty httpPorts = any port");
    }

    @Test
    void firstMatchingRuleWins() {
        DestinationRules r = new DestinationRules(List.of(
                DestinationRules.Rule.parse("allow git.internal.example:22"),
                DestinationRules.Rule.parse("deny *.internal.example"),
                DestinationRules.Rule.parse("deny ads.example.net")), Set.of(80, 443), Set.of(443));
        assertTrue(r.check("git.internal.example", 22, true).allowed(), "rule with a port opens CONNECT to it");
        assertFalse(r.check("git.internal.example", 443, false).allowed());
        assertFalse(r.check("wiki.internal.example", 443, true).allowed());
        assertTrue(r.check("wiki.internal.example", 443, true).reason().contains("deny *.internal.example"));
        assertFalse(r.check("ads.example.net", 80, false).allowed());
        assertFalse(r.check("example.org", 8080, false).allowed(), "port outside httpPorts");
        assertTrue(r.check("example.org", 80, false).allowed());
    }

    @Test
    void ruleSyntax() {
        DestinationRules.Rule r = DestinationRules.Rule.parse("allow [2001:db8::1]:443,8443");
        assertEquals(Set.of(443, 8443), r.ports());
        assertTrue(r.pattern().matches("[2001:db8::1]"));
        assertEquals(Set.of(8000, 8001, 8002), DestinationRules.Rule.parse("deny *:8000-8002").ports());
        assertThrows(IllegalArgumentException.class, () -> DestinationRules.Rule.parse("permit x"));
        assertThrows(IllegalArgumentException.class, () -> DestinationRules.Rule.parse("allow x:0"));
        assertThrows(IllegalArgumentException.class, () -> DestinationRules.Rule.parse("allow"));
    }

    @Test
    void clientAcl() {
        ClientAcl acl = new ClientAcl(List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("10.0.0.0/8")));
        assertTrue(acl.admits("127.0.0.1"));
        assertTrue(acl.admits("::ffff:10.1.2.3"));
        assertFalse(acl.admits("::1"));
        assertFalse(acl.admits("192.168.1.1"));
        assertFalse(acl.admits("unknown"));
        assertFalse(new ClientAcl(List.of()).admits("127.0.0.1"));
    }
}
