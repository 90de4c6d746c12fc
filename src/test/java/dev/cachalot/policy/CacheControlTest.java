package dev.cachalot.policy;

import dev.cachalot.http.HeaderFields;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CacheControlTest {

    @Test
    void parsesResponseDirectivesCaseInsensitively() {
        CacheControl cc = CacheControl.parse("Max-Age=60, S-MAXAGE=30, Public, must-revalidate, proxy-revalidate, immutable");
        assertEquals(60, cc.maxAge());
        assertEquals(30, cc.sMaxAge());
        assertTrue(cc.isPublic());
        assertTrue(cc.mustRevalidate());
        assertTrue(cc.proxyRevalidate());
        assertTrue(cc.immutable());
        assertFalse(cc.noStore());
    }

    @Test
    void parsesRequestDirectives() {
        CacheControl cc = CacheControl.parse("max-age=5, max-stale=10, min-fresh=3, no-cache, no-store, only-if-cached");
        assertEquals(5, cc.maxAge());
        assertEquals(10, cc.maxStale());
        assertEquals(3, cc.minFresh());
        assertTrue(cc.noCache());
        assertTrue(cc.noStore());
        assertTrue(cc.onlyIfCached());
    }

    @Test
    void maxStaleWithoutValueAcceptsAnyStaleness() {
        CacheControl cc = CacheControl.parse("max-stale");
        assertTrue(cc.hasMaxStale());
        assertEquals(DeltaSeconds.MAX, cc.maxStale());
    }

    @Test
    void recipientsAcceptQuotedStringArguments() {
        assertEquals(60, CacheControl.parse("max-age=\"60\"").maxAge());
    }

    @Test
    void duplicateDirectiveUsesFirstOccurrence() {
        assertEquals(60, CacheControl.parse("max-age=60, max-age=3600").maxAge());
        HeaderFields two = HeaderFields.of("Cache-Control", "max-age=10", "Cache-Control", "max-age=20, public");
        CacheControl cc = CacheControl.parse(two);
        assertEquals(10, cc.maxAge());
        assertTrue(cc.isPublic());
    }

    @Test
    void invalidMaxAgeMeansStale() {
        CacheControl cc = CacheControl.parse("max-age=abc");
        assertEquals(0, cc.maxAge());
        assertEquals(Set.of("max-age"), cc.invalid());
        assertEquals(0, CacheControl.parse("s-maxage=-1").sMaxAge());
        assertEquals(0, CacheControl.parse("max-age=1.5").maxAge());
        assertEquals(0, CacheControl.parse("max-age").maxAge());
    }

    @Test
    void invalidMinFreshAndStaleExtensionsAreIgnored() {
        CacheControl cc = CacheControl.parse("min-fresh=x, stale-while-revalidate=-3, stale-if-error=");
        assertEquals(DeltaSeconds.ABSENT, cc.minFresh());
        assertEquals(DeltaSeconds.ABSENT, cc.staleWhileRevalidate());
        assertEquals(DeltaSeconds.ABSENT, cc.staleIfError());
    }

    @Test
    void deltaSecondsOverflowBecomesTwoToThe31() {
        assertEquals(2147483648L, CacheControl.parse("max-age=99999999999999999999999").maxAge());
        assertEquals(2147483648L, CacheControl.parse("max-age=2147483649").maxAge());
        assertEquals(2147483647L, CacheControl.parse("max-age=2147483647").maxAge());
    }

    @Test
    void noCacheAndPrivateCarryLowerCaseFieldNames() {
        CacheControl cc = CacheControl.parse("no-cache=\"Set-Cookie, X-Foo\", private=Authorization-Info");
        assertTrue(cc.noCache());
        assertEquals(List.of("set-cookie", "x-foo"), cc.noCacheFields());
        assertTrue(cc.isPrivate());
        assertEquals(List.of("authorization-info"), cc.privateFields());
    }

    @Test
    void unknownExtensionsAreKeptWithTheirArguments() {
        CacheControl cc = CacheControl.parse("foo, bar=\"a b\", baz=1");
        assertEquals(3, cc.extensions().size());
        assertEquals("a b", cc.extensions().get("bar"));
        assertTrue(cc.extensions().containsKey("foo"));
    }

    @Test
    void formatThenParseGivesTheSameDirectives() {
        CacheControl cc = CacheControl.parse("max-age=1, s-maxage=2, max-stale=3, min-fresh=4, stale-while-revalidate=5,"
                + " stale-if-error=6, no-cache=\"a\", no-store, no-transform, only-if-cached, must-revalidate,"
                + " proxy-revalidate, must-understand, public, private=\"b, c\", immutable, ext=\"x y\", flag");
        assertEquals(cc, CacheControl.parse(cc.format()));
    }

    @Test
    void withoutRemovesNamedDirectives() {
        CacheControl cc = CacheControl.parse("private, no-cache, max-age=5").without(Set.of("private", "no-cache"));
        assertFalse(cc.isPrivate());
        assertFalse(cc.noCache());
        assertEquals(5, cc.maxAge());
    }

    @Test
    void pragmaNoCacheActsAsNoCacheOnlyWithoutCacheControl() {
        assertTrue(RequestDirectives.parse(HeaderFields.of("Pragma", "no-cache")).noCache());
        assertFalse(RequestDirectives.parse(HeaderFields.of("Pragma", "no-cache", "Cache-Control", "max-age=5")).noCache());
    }

    @Test
    void targetedDictionaryBuildsDirectives() {
        CacheControl cc = CacheControl.fromDictionary(Map.of("max-age", 30L, "private", Boolean.TRUE));
        assertEquals(30, cc.maxAge());
        assertTrue(cc.isPrivate());
        CacheControl negative = CacheControl.fromDictionary(Map.of("max-age", -5L));
        assertEquals(0, negative.maxAge());
    }

    @Test
    void deltaSecondsParsing() {
        assertEquals(DeltaSeconds.ABSENT, DeltaSeconds.parse(""));
        assertEquals(DeltaSeconds.ABSENT, DeltaSeconds.parse("+5"));
        assertEquals(DeltaSeconds.ABSENT, DeltaSeconds.parse(null));
        assertEquals(0, DeltaSeconds.parse("0"));
        assertEquals(DeltaSeconds.MAX, DeltaSeconds.add(DeltaSeconds.MAX, 5));
        assertEquals(0, DeltaSeconds.clamp(-7));
    }
}
