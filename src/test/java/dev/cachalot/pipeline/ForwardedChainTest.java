package dev.cachalot.pipeline;

import static dev.cachalot.pipeline.Harness.get;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cachalot.origin.ProxyHeaders;
import dev.cachalot.origin.TrustedProxies;
import dev.cachalot.pipeline.FakeOrigin.Script;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regression: the policy removes the client's X-Forwarded-* and Forwarded fields from every
 * forwarded request (they must not reach the cache key or a shared entry), and that used to happen
 * before ProxyHeaders read them, so the chain of a trusted proxy in front of Cachalot was lost.
 */
class ForwardedChainTest {
    private static final String[] CHAIN = {"X-Forwarded-For", "203.0.113.7", "X-Forwarded-Proto", "https",
            "X-Forwarded-Host", "www.example.test", "Forwarded", "for=203.0.113.7;proto=https"};

    @Test
    void trustedProxyChainIsExtendedWhenTheCacheForwards() throws Exception {
        Harness h = new Harness(new FakeOrigin(r -> Script.ok("x", "Cache-Control", "max-age=60")),
                new ProxyHeaders("cachalot", new TrustedProxies(List.of("127.0.0.1"))));
        h.send(get("/a", CHAIN));
        var sent = h.origin.lastRequest().headers();
        assertEquals("203.0.113.7, 127.0.0.1", sent.combined("X-Forwarded-For"));
        assertEquals("https", sent.first("X-Forwarded-Proto"));
        assertEquals("www.example.test", sent.first("X-Forwarded-Host"));
        assertEquals("for=203.0.113.7;proto=https, for=127.0.0.1;proto=http;host=example.test",
                sent.combined("Forwarded"));
    }

    @Test
    void untrustedClientFieldsAreReplacedByThisHop() throws Exception {
        Harness h = new Harness(new FakeOrigin(r -> Script.ok("x", "Cache-Control", "max-age=60")));
        h.send(get("/a", CHAIN));
        var sent = h.origin.lastRequest().headers();
        assertEquals("127.0.0.1", sent.combined("X-Forwarded-For"));
        assertEquals("http", sent.first("X-Forwarded-Proto"));
        assertEquals("example.test", sent.first("X-Forwarded-Host"));
        assertEquals("for=127.0.0.1;proto=http;host=example.test", sent.combined("Forwarded"));
    }

    @Test
    void forwardedFieldsAreNotPartOfTheCacheKey() throws Exception {
        Harness h = new Harness(new FakeOrigin(r -> Script.ok("x", "Cache-Control", "max-age=60")),
                new ProxyHeaders("cachalot", new TrustedProxies(List.of("127.0.0.1"))));
        h.send(get("/k", CHAIN));
        RecordingSink second = h.send(get("/k", "X-Forwarded-Host", "other.example.test"));
        assertEquals("HIT", second.outcome);
        assertEquals(1, h.origin.requestCount());
    }
}
