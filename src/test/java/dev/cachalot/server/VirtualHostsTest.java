package dev.cachalot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.cachalot.origin.OriginTarget;
import java.util.List;
import org.junit.jupiter.api.Test;

class VirtualHostsTest {
    private final OriginTarget a = OriginTarget.parse("a", "http://127.0.0.1:1", null);
    private final OriginTarget b = OriginTarget.parse("b", "http://127.0.0.1:2", null);
    private final OriginTarget c = OriginTarget.parse("c", "http://127.0.0.1:3", null);

    @Test
    void exactBeatsWildcardAndLongestWildcardWins() {
        VirtualHosts v = new VirtualHosts(List.of(new VirtualHosts.Route(a, List.of("www.example.com")),
                new VirtualHosts.Route(b, List.of("*.example.com")),
                new VirtualHosts.Route(c, List.of("*.cdn.example.com"))), "");
        assertEquals(a, v.resolve("WWW.Example.com:8080"));
        assertEquals(a, v.resolve("www.example.com."));
        assertEquals(b, v.resolve("img.example.com"));
        assertEquals(c, v.resolve("x.cdn.example.com"));
        assertNull(v.resolve("example.com"));
        assertNull(v.resolve("other.org"));
        assertNull(v.resolve(null));
    }

    @Test
    void defaultRouteCatchesTheRest() {
        VirtualHosts v = new VirtualHosts(List.of(new VirtualHosts.Route(a, List.of("www.example.com")),
                new VirtualHosts.Route(b, List.of())), "b");
        assertEquals(b, v.resolve("other.org"));
        assertEquals(b, v.resolve(null));
        assertEquals(a, v.resolve("www.example.com"));
        assertEquals("[::1]", VirtualHosts.hostOnly("[::1]:80"));
    }
}
