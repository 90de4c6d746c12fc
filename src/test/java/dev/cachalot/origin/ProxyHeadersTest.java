package dev.cachalot.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.RequestHead;
import dev.cachalot.http.ResponseHead;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProxyHeadersTest {
    private final ProxyHeaders untrusting = new ProxyHeaders("cachalot", new TrustedProxies(List.of()));
    private final ProxyHeaders trusting = new ProxyHeaders("cachalot",
            new TrustedProxies(List.of("10.0.0.0/8", "192.168.1.1", "::1")));

    private static RequestHead get(String... headers) {
        return new RequestHead("GET", "http", "site", "/", "HTTP/1.1", HeaderFields.of(headers));
    }

    @Test
    void clientAddressIgnoresForwardingFieldsFromUntrustedPeers() {
        assertEquals("203.0.113.9", untrusting.clientAddress("203.0.113.9", HeaderFields.of("X-Forwarded-For", "1.2.3.4")));
    }

    @Test
    void clientAddressIsTheRightmostUntrustedHop() {
        HeaderFields h = HeaderFields.of("X-Forwarded-For", "6.6.6.6, 198.51.100.1", "X-Forwarded-For", "10.1.2.3");
        // Peer 10.0.0.5 is trusted, 10.1.2.3 is trusted, 198.51.100.1 is the client; 6.6.6.6 could be forged.
        assertEquals("198.51.100.1", trusting.clientAddress("10.0.0.5", h));
        assertEquals("10.9.9.9", trusting.clientAddress("10.0.0.5", HeaderFields.of("X-Forwarded-For", "10.9.9.9")));
        assertEquals("10.0.0.5", trusting.clientAddress("10.0.0.5", HeaderFields.of("X-Forwarded-For", "junk")));
        assertEquals("2001:db8::1", trusting.clientAddress("::1", HeaderFields.of("X-Forwarded-For", "2001:db8::1")));
    }

    @Test
    void hopByHopAndConnectionListedFieldsAreRemoved() {
        RequestHead out = untrusting.toOrigin(get("Connection", "X-A, keep-alive", "X-A", "1", "Keep-Alive", "5",
                "TE", "trailers", "Trailer", "X", "Transfer-Encoding", "chunked", "Upgrade", "h2c",
                "Proxy-Authorization", "x", "Proxy-Anything", "y", "X-Kept", "k"), "203.0.113.9", false);
        HeaderFields h = out.headers();
        for (String n : new String[] {"Connection", "X-A", "Keep-Alive", "TE", "Trailer", "Transfer-Encoding",
            "Upgrade", "Proxy-Authorization", "Proxy-Anything"}) {
            assertFalse(h.contains(n), n);
        }
        assertEquals("k", h.first("X-Kept"));
    }

    @Test
    void viaIsAppended() {
        assertEquals("1.0 edge, 1.1 cachalot", untrusting.toOrigin(get("Via", "1.0 edge"), "1.1.1.1", false)
                .headers().first("Via"));
        ResponseHead r = untrusting.toClient(new ResponseHead(200, HeaderFields.of("Connection", "close",
                "Via", "1.1 origin")), "HTTP/2.0");
        assertEquals("1.1 origin, 2 cachalot", r.headers().first("Via"));
        assertNull(r.headers().first("Connection"));
    }

    @Test
    void forwardingFieldsAreRebuiltForUntrustedAndExtendedForTrusted() {
        RequestHead in = get("Host", "site", "X-Forwarded-For", "6.6.6.6", "X-Forwarded-Host", "evil",
                "X-Forwarded-Proto", "https", "Forwarded", "for=6.6.6.6");
        HeaderFields u = untrusting.toOrigin(in, "203.0.113.9", true).headers();
        assertEquals("203.0.113.9", u.combined("X-Forwarded-For"));
        assertEquals("https", u.first("X-Forwarded-Proto"));
        assertEquals("site", u.first("X-Forwarded-Host"));
        assertEquals("for=203.0.113.9;proto=https;host=site", u.combined("Forwarded"));

        HeaderFields t = trusting.toOrigin(in, "10.0.0.1", false).headers();
        assertEquals("6.6.6.6, 10.0.0.1", t.combined("X-Forwarded-For"));
        assertEquals("https", t.first("X-Forwarded-Proto"));
        assertEquals("evil", t.first("X-Forwarded-Host"));
        assertEquals("for=6.6.6.6, for=10.0.0.1;proto=http;host=site", t.combined("Forwarded"));
    }

    @Test
    void ipv6NodesAreQuotedInForwarded() {
        HeaderFields h = untrusting.toOrigin(get("Host", "[::1]:80"), "::1", false).headers();
        assertTrue(h.first("Forwarded").startsWith("for=\"[::1]\""), h.first("Forwarded"));
        assertTrue(h.first("Forwarded").endsWith("host=\"[::1]:80\""), h.first("Forwarded"));
    }

    @Test
    void trustedProxyBlocks() {
        TrustedProxies t = new TrustedProxies(List.of("10.0.0.0/8", "192.168.1.1", "2001:db8::/32"));
        assertTrue(t.contains("10.255.0.1"));
        assertFalse(t.contains("11.0.0.1"));
        assertTrue(t.contains("192.168.1.1"));
        assertFalse(t.contains("192.168.1.2"));
        assertTrue(t.contains("2001:db8:1::5"));
        assertFalse(t.contains("2001:db9::1"));
        assertTrue(t.contains("::ffff:10.0.0.1"));
        assertFalse(t.contains("not-an-ip.example"));
    }

    @Test
    void clientHiddenFieldsAreRemovedFromClientHeadsOnly() {
        ProxyHeaders hiding = new ProxyHeaders("cachalot", new TrustedProxies(List.of()),
                List.of("Surrogate-Key", "Cache-Tag"));
        ResponseHead stored = new ResponseHead(200, HeaderFields.of("surrogate-key", "a b", "ETag", "\"1\"",
                "CACHE-TAG", "t1", "Cache-Tag", "t2"));
        ResponseHead r = hiding.toClient(stored, "HTTP/1.1");
        assertFalse(r.headers().contains("Surrogate-Key"), r.headers().toString());
        assertFalse(r.headers().contains("Cache-Tag"), r.headers().toString());
        assertEquals("\"1\"", r.headers().first("ETag"));
        assertEquals("1.1 cachalot", r.headers().first("Via"));
        // The input (the stored head) keeps them; without hidden names they pass.
        assertEquals("a b", stored.headers().first("Surrogate-Key"));
        assertEquals("a b", untrusting.toClient(stored, "HTTP/1.1").headers().first("Surrogate-Key"));
        // The request direction is untouched: a client may send such a field to the origin.
        assertEquals("x", hiding.toOrigin(get("Surrogate-Key", "x"), "1.2.3.4", false).headers().first("Surrogate-Key"));
    }
}
