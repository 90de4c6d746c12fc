package dev.cachalot.purge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.store.HeaderField;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Ban matching, value normalisation and tag parsing, without a store. */
class BanIndexTest {
    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");

    private static Ban ban(long id, BanKind kind, String value, PurgeMode mode, long secondsAfterT0) {
        return new Ban(id, kind, BanTargets.normalize(kind, value), mode, T0.plusSeconds(secondsAfterT0));
    }

    @Test
    void anEntryFetchedAtOrAfterTheNewestBanIsNeverMatched() {
        BanIndex idx = new BanIndex(List.of(ban(1, BanKind.TAG, "a", PurgeMode.HARD, 10)));
        assertNull(idx.match(T0.plusSeconds(10), "http://h/x", Set.of("a")), "same instant: fetched after the ban");
        assertNull(idx.match(T0.plusSeconds(11), "http://h/x", Set.of("a")));
        assertEquals(1, idx.match(T0.plusSeconds(9), "http://h/x", Set.of("a")).id());
        assertNull(BanIndex.EMPTY.match(T0, "http://h/x", Set.of("a")));
    }

    @Test
    void tagBansMatchAnyOfTheEntrysTagsCaseSensitively() {
        BanIndex idx = new BanIndex(List.of(ban(1, BanKind.TAG, "product-42", PurgeMode.HARD, 10)));
        assertEquals(1, idx.match(T0, "http://h/x", Set.of("all", "product-42")).id());
        assertNull(idx.match(T0, "http://h/x", Set.of("Product-42")));
        assertNull(idx.match(T0, "http://h/x", Set.of()));
        assertTrue(idx.hasTagBans());
    }

    @Test
    void prefixBansCompareTheNormalisedKeyAsText() {
        BanIndex idx = new BanIndex(List.of(ban(1, BanKind.PREFIX, "HTTPS://WWW.Example.com:443/img/", PurgeMode.HARD, 10)));
        assertEquals("https://www.example.com/img/", idx.bans().get(0).value());
        assertEquals(1, idx.match(T0, "https://www.example.com/img/a.png", Set.of()).id());
        assertNull(idx.match(T0, "https://www.example.com/imgs/a.png", Set.of()));
        assertNull(idx.match(T0, "http://www.example.com/img/a.png", Set.of()), "the scheme is part of the key");
        assertNull(idx.match(T0, "https://www.example.com/Img/a.png", Set.of()), "paths are case-sensitive");
        assertEquals("http://h/", BanTargets.normalize(BanKind.PREFIX, "http://h"));
    }

    @Test
    void hostBansMatchTheHostOnAnySchemeAndPort() {
        BanIndex idx = new BanIndex(List.of(ban(1, BanKind.HOST, "WWW.Example.COM.", PurgeMode.HARD, 10)));
        assertEquals("www.example.com", idx.bans().get(0).value());
        assertEquals(1, idx.match(T0, "https://www.example.com/a", Set.of()).id());
        assertEquals(1, idx.match(T0, "http://www.example.com:8080/a?b", Set.of()).id());
        assertNull(idx.match(T0, "http://example.com/a", Set.of()));
        assertNull(idx.match(T0, "http://www.example.com.evil/a", Set.of()));
        BanIndex v6 = new BanIndex(List.of(ban(2, BanKind.HOST, "[::1]", PurgeMode.HARD, 10)));
        assertEquals(2, v6.match(T0, "http://[::1]:9000/a", Set.of()).id());
    }

    @Test
    void aHardBanWinsAndAmongOneModeTheOldestCoveringBanIsChosen() {
        Ban soft1 = ban(1, BanKind.TAG, "a", PurgeMode.SOFT, 5);
        Ban soft2 = ban(2, BanKind.HOST, "h", PurgeMode.SOFT, 7);
        Ban hard = ban(3, BanKind.PREFIX, "http://h/x", PurgeMode.HARD, 9);
        BanIndex idx = new BanIndex(List.of(hard, soft2, soft1));
        assertSame(hard, idx.match(T0, "http://h/x1", Set.of("a")));
        assertSame(soft1, idx.match(T0, "http://h/y", Set.of("a")));
        assertSame(soft2, idx.match(T0.plusSeconds(6), "http://h/y", Set.of("a")), "fetched after the first soft ban");
        assertEquals(T0.plusSeconds(9), idx.newest());
        assertEquals(List.of(1L, 2L, 3L), idx.bans().stream().map(Ban::id).toList(), "oldest first");
        assertEquals(List.of(1L, 3L), idx.without(Set.of(2L)).bans().stream().map(Ban::id).toList());
    }

    @Test
    void badValuesAreRefusedWithTheRule() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BanTargets.normalize(BanKind.TAG, "a b"))
                .getMessage().contains("one tag"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BanTargets.normalize(BanKind.TAG, "a,b"))
                .getMessage().contains("commas"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BanTargets.normalize(BanKind.PREFIX, "/img/"))
                .getMessage().startsWith("prefix must be absolute"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> BanTargets.normalize(BanKind.HOST, "example.com:8080")).getMessage().contains("without scheme, port"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> BanTargets.normalize(BanKind.HOST, "http://example.com")).getMessage().contains("host must be"));
        assertThrows(IllegalArgumentException.class, () -> BanTargets.normalize(BanKind.HOST, ""));
        assertThrows(IllegalArgumentException.class, () -> BanTargets.normalize(BanKind.TAG, "x".repeat(3000)));
    }

    @Test
    void tagsComeFromEveryConfiguredFieldSplitOnSpacesAndCommas() {
        List<HeaderField> fields = List.of(new HeaderField("surrogate-key", " a  b\tc "),
                new HeaderField("Cache-Tag", "d,e , f"), new HeaderField("X-Other", "g"),
                new HeaderField("Surrogate-Key", "h"));
        assertEquals(Set.of("a", "b", "c", "d", "e", "f", "h"),
                EntryTags.of(fields, List.of("Surrogate-Key", "Cache-Tag")));
        assertEquals(Set.of(), EntryTags.of(fields, List.of()));
        assertEquals(Set.of(), EntryTags.of(List.of(new HeaderField("Cache-Tag", " , ")), List.of("Cache-Tag")));
    }

    @Test
    void keyPartsAreReadFromTheCacheKey() {
        assertEquals("www.example.com:8080", BanTargets.authorityOf("http://www.example.com:8080/a"));
        assertEquals("www.example.com", BanTargets.hostOf("http://www.example.com:8080/a"));
        assertEquals("h", BanTargets.hostOf("http://h?q"));
        assertEquals("[::1]", BanTargets.hostOf("http://[::1]/"));
    }
}
