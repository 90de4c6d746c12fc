package dev.cachalot.policy;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.RequestHead;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.cachalot.policy.Fixtures.CONFIG;
import static dev.cachalot.policy.Fixtures.get;
import static dev.cachalot.policy.Fixtures.response;
import static dev.cachalot.policy.Fixtures.stored;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RFC 9111 §2 cache keys and §4.1 Vary. */
class VaryAndKeysTest {

    @Test
    void primaryKeyIsSchemeAuthorityPathAndQuery() {
        RequestHead r = new RequestHead("GET", "HTTPS", "Example.COM:443", "/A/b?x=1&Y=2", "HTTP/1.1", HeaderFields.empty());
        assertEquals("https://example.com/A/b?x=1&Y=2", CacheKeys.primary(r));
    }

    @Test
    void primaryKeyKeepsNonDefaultPortAndDropsDefaultHttpPort() {
        assertEquals("http://h:8080/", CacheKeys.primary("http", "h:8080", "/"));
        assertEquals("http://h/", CacheKeys.primary("http", "h:80", "/"));
        assertEquals("https://[::1]:8443/", CacheKeys.primary("https", "[::1]:8443", "/"));
        assertEquals("https://[::1]/", CacheKeys.primary("https", "[::1]", "/"));
    }

    @Test
    void rememberedAuthoritiesStayPerSchemeAndAFloodOfHostsIsStillNormalised() {
        // The same authority text normalises differently per scheme, however often it is seen.
        for (int i = 0; i < 3; i++) {
            assertEquals("http://remembered.test/", CacheKeys.primary("http", "Remembered.TEST:80", "/"));
            assertEquals("https://remembered.test:80/", CacheKeys.primary("https", "Remembered.TEST:80", "/"));
            assertEquals("http://remembered.test:443/", CacheKeys.primary("HTTP", "Remembered.TEST:443", "/"));
            assertEquals("https://remembered.test/", CacheKeys.primary("https", "Remembered.TEST:443", "/"));
        }
        // More hosts than are remembered: the later ones are computed, and still right.
        for (int i = 0; i < CacheKeys.KNOWN_AUTHORITIES + 50; i++) {
            assertEquals("http://h" + i + ".flood.test/x", CacheKeys.primary("http", "H" + i + ".Flood.Test:80", "/x"));
            assertEquals("http://h" + i + ".flood.test:81/x",
                    CacheKeys.primary("http", "u@H" + i + ".flood.test:81", "/x"));
        }
    }

    @Test
    void primaryKeyIgnoresEveryRequestHeaderIncludingForwardedHost() {
        assertEquals(CacheKeys.primary(get("/p")), CacheKeys.primary(get("/p", "X-Forwarded-Host", "evil", "Cookie", "a=b")));
        assertEquals(CacheKeys.primary(get("/p")), CacheKeys.primary(Fixtures.request("HEAD", "/p")));
    }

    @Test
    void selectingValuesAreNormalisedAcrossLinesWhitespaceAndCase() {
        assertEquals(VaryNormalizer.normalize("Accept-Encoding", List.of("GZIP,  br")),
                VaryNormalizer.normalize("accept-encoding", List.of("gzip", "br")));
        assertEquals(VaryNormalizer.normalize("Accept", List.of("text/html ; q=0.5")),
                VaryNormalizer.normalize("Accept", List.of("text/html;q=0.5")));
        assertNotEquals(VaryNormalizer.normalize("X-Custom", List.of("A")), VaryNormalizer.normalize("X-Custom", List.of("a")));
        assertEquals("a=1; b=2", VaryNormalizer.normalize("Cookie", List.of("a=1", "b=2")));
        assertNull(VaryNormalizer.normalize("Accept", List.of()));
    }

    @Test
    void absentSelectingFieldMatchesOnlyAbsent() {
        StoredResponse s = stored(0, response(200, "Vary", "Accept-Language"), HeaderFields.empty());
        assertTrue(VaryNormalizer.matches(s, get("/")));
        assertFalse(VaryNormalizer.matches(s, get("/", "Accept-Language", "en")));
    }

    @Test
    void varyStarNeverMatches() {
        StoredResponse s = stored(0, response(200, "Vary", "*"));
        assertFalse(VaryNormalizer.matches(s, get("/")));
        assertNull(CacheKeys.variant(response(200, "Vary", "*"), get("/")));
    }

    @Test
    void variantKeyIsIndependentOfVaryOrderAndDistinguishesAbsent() {
        RequestHead r = get("/", "Accept-Encoding", "gzip", "Accept-Language", "en");
        assertEquals(CacheKeys.variant(response(200, "Vary", "Accept-Encoding, Accept-Language"), r),
                CacheKeys.variant(response(200, "Vary", "accept-language", "Vary", "accept-encoding"), r));
        assertNotEquals(CacheKeys.variant(List.of("x"), HeaderFields.empty()),
                CacheKeys.variant(List.of("x"), HeaderFields.of("X", "")));
        assertEquals("", CacheKeys.variant(response(200), r));
    }

    @Test
    void storedVariantKeyEqualsRequestVariantKey() {
        RequestHead r = get("/", "Accept-Encoding", "gzip");
        var resp = response(200, "Vary", "Accept-Encoding");
        StoredResponse s = stored(0, resp, VaryNormalizer.selectingHeaders(resp, r));
        assertEquals(CacheKeys.variant(resp, r), CacheKeys.variant(s));
    }

    @Test
    void newResponseReplacesTheVariantItMatches() {
        StoredResponse gz = stored(0, response(200, "Vary", "Accept-Encoding"), HeaderFields.of("Accept-Encoding", "gzip"));
        StoredResponse br = stored(1, response(200, "Vary", "Accept-Encoding"), HeaderFields.of("Accept-Encoding", "br"));
        VariantPlan p = VariantPlan.forInsert(List.of(gz, br), get("/", "Accept-Encoding", "br"), CONFIG);
        assertEquals(List.of(1), p.replaced());
        assertEquals(List.of(), p.evicted());
    }

    @Test
    void variantCapEvictsOldestVariants() {
        StoredResponse a = stored(5, response(200, "Vary", "X"), HeaderFields.of("X", "a"));
        StoredResponse b = stored(1, response(200, "Vary", "X"), HeaderFields.of("X", "b"));
        StoredResponse c = stored(3, response(200, "Vary", "X"), HeaderFields.of("X", "c"));
        VariantPlan p = VariantPlan.forInsert(List.of(a, b, c), get("/", "X", "d"), CONFIG.withMaxVariantsPerUrl(2));
        assertEquals(List.of(), p.replaced());
        assertEquals(List.of(1, 2), p.evicted());
        assertEquals(List.of(1, 2), p.toRemove());
    }

    @Test
    void selectingHeadersKeepOnlyVaryFields() {
        HeaderFields h = VaryNormalizer.selectingHeaders(response(200, "Vary", "Accept-Encoding"),
                get("/", "Accept-Encoding", "gzip", "Cookie", "secret"));
        assertEquals(1, h.size());
        assertEquals("gzip", h.first("accept-encoding"));
    }
}
