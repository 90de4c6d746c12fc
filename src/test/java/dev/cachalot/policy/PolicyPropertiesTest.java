package dev.cachalot.policy;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.HttpDates;
import dev.cachalot.http.ResponseHead;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.cachalot.policy.Fixtures.CONFIG;
import static dev.cachalot.policy.Fixtures.at;
import static dev.cachalot.policy.Fixtures.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

/** QuickTheories properties of the policy ring. */
class PolicyPropertiesTest {

    /** Offsets in seconds around T0, wide enough to include clock skew both ways. */
    private static final Gen<Long> OFFSET = longs().between(-1_000_000, 1_000_000);

    /** Response directives without must-understand (which legitimately overrides no-store). */
    private static final List<String> DIRECTIVES = List.of("max-age=60", "s-maxage=5", "public", "private",
            "private=\"x-a\"", "no-cache", "no-cache=\"x-b\"", "must-revalidate", "proxy-revalidate", "immutable",
            "stale-while-revalidate=30", "stale-if-error=100", "no-transform", "max-age=abc", "ext=\"q\"", "token");

    private static final Gen<List<String>> DIRECTIVE_LISTS = lists().of(integers().between(0, DIRECTIVES.size() - 1)
            .map(DIRECTIVES::get)).ofSizeBetween(0, 6);

    @Test
    void ageIsNeverNegativeAndNeverAboveTwoToThe31() {
        qt().forAll(OFFSET, OFFSET, OFFSET, OFFSET).checkAssert((req, resp, date, now) -> {
            HeaderFields h = HeaderFields.of("Date", HttpDates.format(at(date)), "Age", Long.toString(Math.abs(now % 5000)));
            long age = AgeCalculator.currentAge(at(req), at(resp), h, at(now));
            assertTrue(age >= 0 && age <= DeltaSeconds.MAX, () -> "age " + age);
        });
    }

    @Test
    void storedResponseAgeEqualsAgeFromRawInputs() {
        qt().forAll(OFFSET, OFFSET, OFFSET, OFFSET).checkAssert((req, resp, date, now) -> {
            HeaderFields h = HeaderFields.of("Date", HttpDates.format(at(date)), "Age", Long.toString(Math.abs(req % 777)));
            StoredResponse s = new StoredResponse(at(req), at(resp), new ResponseHead(200, h), HeaderFields.empty(), 0);
            assertEquals(AgeCalculator.currentAge(at(req), at(resp), h, at(now)), AgeCalculator.currentAge(s, at(now)));
        });
    }

    @Test
    void cacheStatusEntryIsAValidStructuredFieldItem() {
        qt().forAll(strings().allPossible().ofLengthBetween(0, 20), longs().between(-5_000_000_000L, 5_000_000_000L),
                integers().between(0, ForwardReason.values().length)).checkAssert((detail, ttl, fwd) -> {
                    ForwardReason r = fwd == ForwardReason.values().length ? null : ForwardReason.values()[fwd];
                    String entry = new CacheStatus("Cachalot", r == null, r, r == null ? 0 : 200, r != null, false, ttl,
                            detail, ShortStatus.MISS).format();
                    // An item with parameters is a valid dictionary member value when prefixed by "k=".
                    Optional<java.util.Map<String, Object>> parsed = StructuredFields.parseDictionary("k=" + entry);
                    assertTrue(parsed.isPresent(), entry);
                });
    }

    @Test
    void currentAgeIsMonotonicInNow() {
        qt().forAll(OFFSET, OFFSET, OFFSET, longs().between(0, 10_000_000)).checkAssert((resp, date, now, later) -> {
            HeaderFields h = HeaderFields.of("Date", HttpDates.format(at(date)));
            long a = AgeCalculator.currentAge(at(resp - 3), at(resp), h, at(now));
            long b = AgeCalculator.currentAge(at(resp - 3), at(resp), h, at(now + later));
            assertTrue(a <= b, () -> a + " > " + b);
        });
    }

    @Test
    void sMaxageBeatsMaxAgeAndExpiresInSharedCache() {
        qt().forAll(longs().between(0, DeltaSeconds.MAX), longs().between(0, DeltaSeconds.MAX), OFFSET, DIRECTIVE_LISTS)
                .checkAssert((s, m, exp, extra) -> {
                    List<String> d = new ArrayList<>(extra);
                    d.removeIf(x -> x.startsWith("s-maxage") || x.startsWith("max-age"));
                    d.add(0, "max-age=" + m);
                    d.add(1, "s-maxage=" + s);
                    ResponseHead h = Fixtures.response(200, "Cache-Control", String.join(", ", d),
                            "Expires", HttpDates.format(at(exp)), "Date", HttpDates.format(at(0)));
                    ResponseDirectives dirs = ResponseDirectives.of(h.headers(), CONFIG, RouteOverrides.NONE);
                    Freshness.Lifetime l = Freshness.lifetime(h, dirs, at(0), CONFIG, RouteOverrides.NONE);
                    assertEquals(s.longValue(), l.seconds());
                    assertEquals(Freshness.Source.S_MAXAGE, l.source());
                });
    }

    @Test
    void noStoreIsNeverStored() {
        qt().forAll(DIRECTIVE_LISTS, integers().between(100, 599), booleans().all(), integers().between(0, 2))
                .checkAssert((extra, status, authorized, cookiePolicy) -> {
                    List<String> d = new ArrayList<>(extra);
                    d.add(d.size() / 2, "no-store");
                    ResponseHead h = Fixtures.response(status, "Cache-Control", String.join(", ", d));
                    var req = authorized ? get("/", "Authorization", "x") : get("/");
                    PolicyConfig c = CONFIG.withSetCookiePolicy(SetCookiePolicy.values()[cookiePolicy]);
                    assertFalse(StorePolicy.decide(req, h, Fixtures.T0, c, RouteOverrides.NONE).stored(), d::toString);
                });
    }

    @Test
    void unqualifiedPrivateIsNeverStoredInSharedCache() {
        qt().forAll(DIRECTIVE_LISTS, integers().between(200, 599)).checkAssert((extra, status) -> {
            List<String> d = new ArrayList<>(extra);
            d.removeIf(x -> x.startsWith("private"));
            d.add(d.size() / 2, "private");
            ResponseHead h = Fixtures.response(status, "Cache-Control", String.join(", ", d));
            assertFalse(StorePolicy.decide(get("/"), h, Fixtures.T0, CONFIG, RouteOverrides.NONE).stored(), d::toString);
        });
    }

    @Test
    void invalidationNeverLeavesTheRequestOrigin() {
        Gen<String> reference = integers().between(0, 5).zip(strings().betweenCodePoints('a', 'z').ofLengthBetween(0, 6),
                (kind, p) -> List.of("/" + p, p, "https://example.com/" + p, "https://other.example/" + p,
                        "http://example.com/" + p, "//example.com:8443/" + p).get(kind));
        qt().forAll(reference, reference, integers().between(200, 599)).checkAssert((loc, cloc, status) -> {
            List<String> keys = Invalidation.keysToInvalidate(Fixtures.request("POST", "/a/b"),
                    Fixtures.response(status, "Location", loc, "Content-Location", cloc));
            for (String k : keys) {
                assertTrue(k.startsWith("https://example.com/"), k);
            }
            assertEquals(status < 400, keys.contains("https://example.com/a/b"));
        });
    }

    @Test
    void unshareableSetCookieIsNeverStoredByDefault() {
        qt().forAll(DIRECTIVE_LISTS, integers().between(200, 599)).checkAssert((extra, status) -> {
            List<String> d = new ArrayList<>(extra);
            d.removeIf(x -> x.equals("public") || x.startsWith("s-maxage"));
            ResponseHead h = Fixtures.response(status, "Cache-Control", String.join(", ", d), "Set-Cookie", "sid=1");
            assertFalse(StorePolicy.decide(get("/"), h, Fixtures.T0, CONFIG, RouteOverrides.NONE).stored());
        });
    }

    @Test
    void mustRevalidateResponseIsNeverServedStale() {
        qt().forAll(DIRECTIVE_LISTS, longs().between(0, 1_000_000), lists().of(integers().between(0, 3)
                .map(i -> List.of("max-stale", "max-stale=100", "min-fresh=5", "max-age=10").get(i))).ofSizeBetween(0, 3))
                .checkAssert((extra, now, reqDirectives) -> {
                    List<String> d = new ArrayList<>(extra);
                    d.add("must-revalidate");
                    StoredResponse s = Fixtures.stored(0, Fixtures.response(200, "Cache-Control", String.join(", ", d)));
                    var req = reqDirectives.isEmpty() ? get("/") : get("/", "Cache-Control", String.join(", ", reqDirectives));
                    CacheDecision decision = ReusePolicy.decide(req, List.of(s), at(now), CONFIG, RouteOverrides.NONE);
                    assertFalse(decision instanceof CacheDecision.ServeStale, decision::toString);
                    if (decision instanceof CacheDecision.Serve) {
                        assertTrue(((CacheDecision.Serve) decision).ttl() > 0);
                    }
                });
    }

    @Test
    void cacheControlParseFormatParseRoundTrips() {
        Gen<String> values = strings().basicLatinAlphabet().ofLengthBetween(0, 8);
        qt().forAll(DIRECTIVE_LISTS, lists().of(values).ofSizeBetween(0, 3), longs().between(0, Long.MAX_VALUE))
                .checkAssert((directives, extValues, n) -> {
                    List<String> d = new ArrayList<>(directives);
                    for (int i = 0; i < extValues.size(); i++) {
                        String v = extValues.get(i).replace("\\", "\\\\").replace("\"", "\\\"");
                        d.add("x-ext" + i + "=\"" + v + "\"");
                    }
                    d.add("max-stale=" + n);
                    CacheControl cc = CacheControl.parse(String.join(", ", d));
                    CacheControl again = CacheControl.parse(cc.format());
                    assertEquals(cc.format(), again.format());
                    assertEquals(cc.maxAge(), again.maxAge());
                    assertEquals(cc.extensions(), again.extensions());
                    assertEquals(cc.noCacheFields(), again.noCacheFields());
                    assertEquals(cc.privateFields(), again.privateFields());
                    assertEquals(Math.min(n, DeltaSeconds.MAX), again.maxStale());
                });
    }

    @Test
    void rangeResolutionNeverLeavesTheRepresentation() {
        Gen<String> spec = integers().between(0, 2).zip(longs().between(0, 5000), longs().between(0, 5000),
                (kind, a, b) -> kind == 0 ? a + "-" + b : kind == 1 ? a + "-" : "-" + b);
        qt().forAll(lists().of(spec).ofSizeBetween(1, 30), longs().between(0, 6000)).checkAssert((specs, len) -> {
            Optional<ByteRangeSet> set = ByteRangeSet.parse("bytes=" + String.join(",", specs));
            if (set.isEmpty()) {
                return; // some first > last pairs are invalid; the planner then ignores Range
            }
            for (ByteRangeSet.Resolved r : set.get().resolve(len)) {
                assertTrue(r.start() >= 0 && r.start() <= r.end() && r.end() < len, r::toString);
            }
            List<ByteRangeSet.Resolved> c = ByteRangeSet.coalesce(set.get().resolve(len));
            for (int i = 1; i < c.size(); i++) {
                assertTrue(c.get(i).start() > c.get(i - 1).end() + 1, "coalesced ranges are disjoint and sorted");
            }
            StoredResponse s = new StoredResponse(at(0), at(0), Fixtures.response(200), HeaderFields.empty(), len);
            RangePlan p = RangePlanner.plan(get("/", "Range", "bytes=" + String.join(",", specs)), s, "B", CONFIG);
            if (p instanceof RangePlan.Single) {
                RangePlan.Single one = (RangePlan.Single) p;
                assertTrue(one.offset() >= 0 && one.length() > 0 && one.offset() + one.length() <= len);
            }
        });
    }

    @Test
    void httpDatesFormatParseRoundTrip() {
        qt().forAll(longs().between(0, 253402300799L)).checkAssert(sec -> {
            Instant i = Instant.ofEpochSecond(sec);
            assertEquals(Optional.of(i), HttpDates.parse(HttpDates.format(i)));
        });
    }

    @Test
    void sfStringSerialiseParseRoundTrip() {
        qt().forAll(strings().betweenCodePoints(0x20, 0x7e).ofLengthBetween(0, 40)).checkAssert(s -> {
            StringBuilder sb = new StringBuilder("d=");
            StructuredFields.serializeBare(s, sb);
            assertEquals(s, StructuredFields.parseDictionary(sb.toString()).orElseThrow().get("d"));
        });
    }

    @Test
    void varyNormalisationIgnoresHowListsAreSplitIntoLines() {
        Gen<String> token = strings().betweenCodePoints('a', 'z').ofLengthBetween(1, 6);
        qt().forAll(lists().of(token).ofSizeBetween(1, 6), integers().between(0, 5)).checkAssert((tokens, split) -> {
            int cut = Math.min(split, tokens.size() - 1);
            String oneLine = String.join(" ,  ", tokens).toUpperCase(java.util.Locale.ROOT);
            List<String> twoLines = new ArrayList<>();
            twoLines.add(String.join(",", tokens.subList(0, cut + 1)));
            if (cut + 1 < tokens.size()) {
                twoLines.add(String.join(",", tokens.subList(cut + 1, tokens.size())));
            }
            assertEquals(VaryNormalizer.normalize("Accept-Encoding", List.of(oneLine)),
                    VaryNormalizer.normalize("Accept-Encoding", twoLines));
        });
    }
}
