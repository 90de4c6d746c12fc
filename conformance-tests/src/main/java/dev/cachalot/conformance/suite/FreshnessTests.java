package dev.cachalot.conformance.suite;

import static dev.cachalot.conformance.dsl.Level.INFO;
import static dev.cachalot.conformance.dsl.Level.MAY;
import static dev.cachalot.conformance.dsl.Level.MUST;
import static dev.cachalot.conformance.dsl.Level.SHOULD;

import dev.cachalot.conformance.client.Response;
import dev.cachalot.conformance.origin.Reply;

/** RFC 9111 §4.2: freshness lifetime (explicit, invalid, heuristic), Age and the prohibition on serving stale. */
public final class FreshnessTests extends Dsl {
    public FreshnessTests() {
        explicit();
        invalid();
        heuristic();
        age();
    }

    private void explicit() {
        test("fresh-max-age-short-reused", "rfc9111#section-4.2.1", MAY, "max-age=5 is reused one second later",
                "§4.2.1: the response is fresh while its age is below max-age.", reused(1000, "Cache-Control", "max-age=5"));
        test("stale-max-age-not-reused", "rfc9111#section-4.2.4", MUST, "A response past max-age is not reused unvalidated",
                "§4.2.4: a cache MUST NOT generate a stale response unless disconnected or permitted.",
                notReused(2500, "Cache-Control", "max-age=1"));
        test("stale-max-age-0", "rfc9111#section-4.2.4", MUST, "max-age=0 is stale at once",
                "§4.2.4: a stale response MUST NOT be reused without validation.", notReused(0, "Cache-Control", "max-age=0"));
        test("stale-s-maxage-overrides-max-age", "rfc9111#section-5.2.2.10", MUST,
                "s-maxage=1 overrides a long max-age in a shared cache",
                "§5.2.2.10: a shared cache MUST ignore max-age when s-maxage is present.",
                notReused(2500, "Cache-Control", "max-age=3600, s-maxage=1"));
        test("fresh-s-maxage-overrides-max-age", "rfc9111#section-5.2.2.10", MUST,
                "s-maxage=3600 keeps a response fresh past max-age=1",
                "§5.2.2.10: a shared cache MUST ignore max-age (and Expires) when s-maxage is present.",
                reusedWithControl(2500, "Cache-Control", "max-age=1, s-maxage=3600"));
        test("stale-s-maxage-0", "rfc9111#section-5.2.2.10", MUST, "s-maxage=0 is stale at once for a shared cache",
                "§5.2.2.10 with §4.2.4: a stale response MUST NOT be reused without validation.",
                notReused(0, "Cache-Control", "s-maxage=0, max-age=3600"));
        test("stale-max-age-overrides-expires", "rfc9111#section-5.3", MUST, "max-age=1 wins over a distant Expires",
                "§5.3: if max-age is present, a recipient MUST ignore Expires.",
                ctx -> notReused(2500, "Cache-Control", "max-age=1", "Expires", httpDate(3600)).run(ctx));
        test("fresh-max-age-overrides-past-expires", "rfc9111#section-5.3", MUST, "max-age=3600 wins over a past Expires",
                "§5.3: if max-age is present, a recipient MUST ignore Expires.",
                ctx -> reusedWithControl(0, "Cache-Control", "max-age=3600", "Expires", httpDate(-3600)).run(ctx));
        test("stale-s-maxage-overrides-expires", "rfc9111#section-5.3", MUST, "s-maxage=1 wins over a distant Expires",
                "§5.3: a shared cache MUST ignore Expires when s-maxage is present.",
                ctx -> notReused(2500, "Cache-Control", "s-maxage=1", "Expires", httpDate(3600)).run(ctx));
        test("stale-expires-past", "rfc9111#section-5.3", MUST, "A past Expires is stale",
                "§5.3 and §4.2.4: a stale response MUST NOT be reused without validation.",
                ctx -> notReused(0, "Expires", httpDate(-3600)).run(ctx));
        test("stale-expires-equals-date", "rfc9111#section-4.2.1", MUST, "Expires equal to Date gives no freshness",
                "§4.2.1: freshness_lifetime = Expires - Date = 0.",
                ctx -> {
                    String now = httpDate(0);
                    notReused(0, "Date", now, "Expires", now).run(ctx);
                });
        test("stale-expires-1s", "rfc9111#section-5.3", MUST, "Expires one second ahead is stale three seconds later",
                "§5.3 and §4.2.4: once Expires has passed, the response MUST NOT be reused unvalidated.",
                ctx -> notReused(3000, "Expires", httpDate(1)).run(ctx));
        test("fresh-expires-relative-to-date", "rfc9111#section-4.2.1", MAY,
                "Freshness from Expires is computed relative to Date",
                "§4.2.1: freshness_lifetime = Expires - Date. With an origin clock an hour AHEAD (apparent age 0, "
                        + "§4.2.3), Expires = Date + 2 s is fresh for 2 s, not for the hour a cache comparing Expires "
                        + "with its own clock would grant. (A clock BEHIND is counted as age by §4.2.3 and cancels out, "
                        + "so it cannot tell the two apart.)",
                ctx -> {
                    ctx.origin(r -> Reply.ok(null).header("Date", httpDate(3600)).header("Expires", httpDate(3602))
                            .body("#" + r.sequence()));
                    ctx.get();
                    ctx.get();
                    ctx.require(ctx.count() == 1, "the response was not reused while fresh (judged elsewhere)");
                    ctx.pause(3500);
                    ctx.get();
                    ctx.expectCount(2, "Expires - Date = 2 s, yet the response was still reused after 3.5 s "
                            + "(Expires compared with the cache's clock?)");
                });
        test("fresh-directive-case-insensitive", "rfc9111#section-5.2", MUST, "MAX-AGE in upper case gives freshness",
                "§5.2: cache directives are identified by a token compared case-insensitively.",
                reusedWithControl(0, "Cache-Control", "MAX-AGE=3600"));
        test("fresh-unknown-directive-ignored", "rfc9111#section-5.2.3", MUST,
                "An unknown cache directive with a value is ignored",
                "§5.2.3: a cache MUST ignore unrecognized cache directives.",
                reusedWithControl(0, "Cache-Control", "max-age=3600, x-unknown-ext=\"a, b\""));
        test("fresh-unknown-directive-token-ignored", "rfc9111#section-5.2.3", MUST,
                "An unknown valueless cache directive is ignored",
                "§5.2.3: a cache MUST ignore unrecognized cache directives.",
                reusedWithControl(0, "Cache-Control", "x-future-directive, max-age=3600"));
        test("fresh-max-age-huge", "rfc9111#section-1.2.2", MUST, "An overflowing max-age counts as 2147483648",
                "§1.2.2: a delta-seconds value too large to represent MUST be taken as 2147483648, i.e. fresh.",
                reusedWithControl(0, "Cache-Control", "max-age=99999999999999999999"));
        test("fresh-max-age-quoted", "rfc9111#section-5.2", MAY, "max-age=\"3600\" (quoted) is understood",
                "§5.2: senders SHOULD use the token form, recipients MAY accept the quoted form.",
                reused(0, "Cache-Control", "max-age=\"3600\""));
        test("fresh-max-age-spaces-around-list", "rfc9111#section-5.2", MUST,
                "Optional whitespace around list commas is accepted",
                "RFC 9110 §5.6.1: list elements are separated by OWS \",\" OWS.",
                reusedWithControl(0, "Cache-Control", "  public ,  max-age=3600  "));
        test("stale-max-age-0-then-must-revalidate", "rfc9111#section-5.2.2.2", MUST,
                "max-age=0, must-revalidate is revalidated on every use",
                "§5.2.2.2: once stale, a cache MUST NOT reuse the response without successful validation.",
                notReused(0, "Cache-Control", "max-age=0, must-revalidate"));
        test("stale-no-cache-response", "rfc9111#section-5.2.2.4", MUST, "A no-cache response is validated before reuse",
                "§5.2.2.4: no-cache means the cache MUST NOT use the response without successful validation.",
                notReused(0, "Cache-Control", "no-cache, max-age=3600"));
        test("stale-no-cache-response-uppercase", "rfc9111#section-5.2.2.4", MUST, "NO-CACHE in upper case is honoured",
                "§5.2: directive names are case-insensitive; §5.2.2.4 forbids unvalidated reuse.",
                notReused(0, "Cache-Control", "max-age=3600, NO-CACHE"));
        test("stale-pragma-ignored-with-cc", "rfc9111#section-5.4", INFO,
                "A response Pragma: no-cache does not stop caching when Cache-Control allows it",
                "§5.4: Pragma is deprecated; its response meaning was never specified.",
                reused(0, "Cache-Control", "max-age=3600", "Pragma", "no-cache"));
    }

    private void invalid() {
        test("invalid-expires-zero", "rfc9111#section-5.3", MUST, "Expires: 0 means already expired",
                "§5.3: a cache recipient MUST interpret invalid date formats, especially \"0\", as a time in the past.",
                notReused(0, "Expires", "0"));
        test("invalid-expires-garbage", "rfc9111#section-5.3", MUST, "An unparseable Expires means already expired",
                "§5.3: a cache recipient MUST interpret invalid date formats as representing a time in the past.",
                notReused(0, "Expires", "next tuesday"));
        test("invalid-expires-empty", "rfc9111#section-5.3", MUST, "An empty Expires means already expired",
                "§5.3: invalid Expires values represent a time in the past.", notReused(0, "Expires", ""));
        test("invalid-max-age-negative", "rfc9111#section-4.2.1", SHOULD, "A negative max-age makes the response stale",
                "§4.2.1: caches are encouraged to consider responses with invalid freshness information stale.",
                notReused(0, "Cache-Control", "max-age=-1"));
        test("invalid-max-age-text", "rfc9111#section-4.2.1", SHOULD, "A non-numeric max-age makes the response stale",
                "§4.2.1: caches are encouraged to consider invalid freshness information stale.",
                notReused(0, "Cache-Control", "max-age=abc"));
        test("invalid-max-age-fraction", "rfc9111#section-4.2.1", SHOULD, "A fractional max-age makes the response stale",
                "§1.2.2: delta-seconds is 1*DIGIT; §4.2.1 encourages treating invalid values as stale.",
                notReused(0, "Cache-Control", "max-age=3600.5"));
        test("invalid-max-age-empty", "rfc9111#section-4.2.1", SHOULD, "max-age= with no value makes the response stale",
                "§4.2.1: caches are encouraged to consider invalid freshness information stale.",
                notReused(0, "Cache-Control", "max-age="));
        test("invalid-max-age-duplicate", "rfc9111#section-4.2.1", SHOULD,
                "Conflicting duplicate max-age: the first (0) or stale",
                "§4.2.1: with duplicates, either the first occurrence should be used or the response considered stale.",
                notReused(0, "Cache-Control", "max-age=0, max-age=3600"));
        test("invalid-max-age-and-no-cache", "rfc9111#section-4.2.1", SHOULD,
                "Conflicting max-age and no-cache: the most restrictive wins",
                "§4.2.1: if directives conflict, the most restrictive directive should be honored.",
                notReused(0, "Cache-Control", "max-age=3600, no-cache"));
        test("invalid-s-maxage-text", "rfc9111#section-4.2.1", SHOULD, "A non-numeric s-maxage makes the response stale",
                "§4.2.1: caches are encouraged to consider invalid freshness information stale.",
                notReused(0, "Cache-Control", "s-maxage=soon"));
        test("invalid-duplicate-expires", "rfc9111#section-4.2.1", SHOULD,
                "Two Expires lines: the first (past) or stale",
                "§4.2.1: with two Expires lines, use the first or consider the response stale.",
                ctx -> {
                    ctx.origin(r -> Reply.ok(null).header("Expires", httpDate(-60)).header("Expires", httpDate(3600))
                            .body("#" + r.sequence()));
                    ctx.get();
                    ctx.get();
                    ctx.expectCount(2, "the response must be treated as stale");
                });
    }

    private void heuristic() {
        String lm = httpDate(-86400L * 365);
        test("heuristic-200-last-modified", "rfc9111#section-4.2.2", MAY,
                "A 200 with an old Last-Modified and no explicit freshness is reused (heuristic)",
                "§4.2.2: a cache MAY assign a heuristic freshness lifetime to heuristically cacheable responses.",
                ctx -> reused(0, "Last-Modified", lm).run(ctx));
        test("heuristic-200-no-validator", "rfc9111#section-4.2.2", INFO,
                "A 200 with neither freshness nor validators is reused (heuristic)",
                "§4.2.2: heuristics are allowed; without Last-Modified there is little to base them on.",
                reused(0));
        for (int status : new int[] {203, 204, 300, 301, 308, 404, 405, 410, 414, 501}) {
            test("heuristic-" + status + "-last-modified", "rfc9111#section-4.2.2", MAY,
                    "A " + status + " with an old Last-Modified is heuristically reused",
                    "§4.2.2 and RFC 9110 §15.1: " + status + " is heuristically cacheable.",
                    ctx -> {
                        ctx.origin(r -> {
                            Reply rep = Reply.status(status).header("Last-Modified", lm);
                            if (status != 204) {
                                rep.body("#" + r.sequence());
                            }
                            return rep;
                        });
                        ctx.get();
                        ctx.get();
                        ctx.expectCount(1, "the heuristically cacheable " + status + " was not reused");
                    });
        }
        for (int status : new int[] {302, 303, 307, 400, 403, 500, 502, 503}) {
            test("heuristic-not-" + status, "rfc9111#section-4.2.2", MUST,
                    "A " + status + " without explicit freshness is not reused",
                    "§4.2.2: heuristics apply only to heuristically cacheable status codes; " + status + " is not one.",
                    ctx -> {
                        ctx.origin(r -> Reply.status(status).header("Last-Modified", lm).body("#" + r.sequence()));
                        ctx.get();
                        Response b = ctx.get();
                        ctx.expectCount(2, "a " + status + " without explicit freshness must not be reused");
                        ctx.expectStatus(b, status);
                    });
        }
        test("heuristic-not-with-expires-past", "rfc9111#section-4.2.2", MUST,
                "No heuristic freshness when a past Expires is present",
                "§4.2.2: a cache MUST NOT use heuristics when an explicit expiration time is present.",
                ctx -> notReused(0, "Expires", httpDate(-10), "Last-Modified", lm).run(ctx));
        test("heuristic-not-with-max-age-0", "rfc9111#section-4.2.2", MUST, "No heuristic freshness with max-age=0",
                "§4.2.2: a cache MUST NOT use heuristics when an explicit expiration time is present.",
                ctx -> notReused(0, "Cache-Control", "max-age=0", "Last-Modified", lm).run(ctx));
        test("heuristic-public-last-modified", "rfc9111#section-5.2.2.9", MAY,
                "public with an old Last-Modified is heuristically reused",
                "§5.2.2.9: public makes an otherwise non-storable response storable; §4.2.2 heuristics apply.",
                ctx -> reused(0, "Cache-Control", "public", "Last-Modified", lm).run(ctx));
        test("heuristic-last-modified-future", "rfc9111#section-4.2.2", INFO,
                "A Last-Modified in the future gives no heuristic freshness",
                "§4.2.2 suggests a fraction of (Date - Last-Modified); a future value makes that negative.",
                ctx -> notReused(0, "Last-Modified", httpDate(3600)).run(ctx));
    }

    private void age() {
        test("age-present-on-hit", "rfc9111#section-5.1", MUST, "A response served from cache carries Age",
                "§4: when a stored response is used without validation, the cache MUST generate an Age header field.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600");
                    ctx.get();
                    Response b = ctx.get();
                    ctx.requireCount(1, "the second request was not served from cache");
                    ctx.expectPresent(b, "Age");
                });
        test("age-syntax", "rfc9111#section-5.1", MUST, "Age on a hit is a non-negative integer",
                "§5.1: Age = delta-seconds (1*DIGIT).",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600");
                    ctx.get();
                    Response b = ctx.get();
                    ctx.requireCount(1, "the second request was not served from cache");
                    String a = b.joined("Age");
                    ctx.check(a != null && a.matches("[0-9]+"), "Age is not delta-seconds: " + a);
                });
        test("age-grows", "rfc9111#section-4.2.3", MUST, "Age reflects the time spent in the cache",
                "§4.2.3: current_age includes resident_time; two seconds in cache give Age >= 1.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600");
                    ctx.get();
                    ctx.pause(2200);
                    Response b = ctx.get();
                    ctx.requireCount(1, "the second request was not served from cache");
                    long age = seconds(b.header("Age"));
                    ctx.check(age >= 1, "Age should be at least 1 after 2.2 s in cache, got " + b.header("Age"));
                });
        test("age-not-excessive", "rfc9111#section-4.2.3", MUST, "Age of an immediate hit is small",
                "§4.2.3: current_age = corrected_initial_age + resident_time; an immediate hit is seconds old.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600");
                    ctx.get();
                    Response b = ctx.get();
                    ctx.requireCount(1, "the second request was not served from cache");
                    long age = seconds(b.header("Age"));
                    ctx.check(age >= 0 && age <= 5, "Age should be between 0 and 5, got " + b.header("Age"));
                });
        test("age-from-origin-added", "rfc9111#section-4.2.3", MUST, "An Age from upstream is added to the cache's own",
                "§4.2.3: corrected_age_value = age_value + response_delay; Age sent must be at least the received Age.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600", "Age", "100");
                    ctx.get();
                    Response b = ctx.get();
                    ctx.requireCount(1, "the second request was not served from cache");
                    long age = seconds(b.header("Age"));
                    ctx.check(age >= 100, "Age should be at least 100, got " + b.header("Age"));
                });
        test("age-from-origin-makes-stale", "rfc9111#section-4.2.3", MUST,
                "A response whose upstream Age exceeds max-age is stale",
                "§4.2.3: the upstream Age counts toward current_age; max-age=3600 with Age 7200 is stale.",
                notReused(0, "Cache-Control", "max-age=3600", "Age", "7200"));
        test("age-from-origin-expires-soon", "rfc9111#section-4.2.3", MUST,
                "Age 3598 with max-age=3600 is stale a few seconds later",
                "§4.2.3 and §4.2.4: once current_age exceeds the lifetime, the response MUST NOT be reused unvalidated.",
                notReused(3000, "Cache-Control", "max-age=3600", "Age", "3598"));
        test("age-invalid-ignored", "rfc9111#section-5.1", SHOULD, "An invalid Age is ignored",
                "§5.1: if the Age value is invalid, a cache SHOULD ignore the field.",
                reusedWithControl(0, "Cache-Control", "max-age=3600", "Age", "soon"));
        test("age-list-first-member", "rfc9111#section-5.1", SHOULD, "A list-valued Age uses its first member (fresh)",
                "§5.1: a cache encountering a list-based Age SHOULD use the first member.",
                reusedWithControl(0, "Cache-Control", "max-age=3600", "Age", "10, 7200"));
        test("age-list-first-member-stale", "rfc9111#section-5.1", SHOULD,
                "A list-valued Age uses its first member (stale)",
                "§5.1: a cache encountering a list-based Age SHOULD use the first member.",
                notReused(0, "Cache-Control", "max-age=3600", "Age", "7200, 10"));
        test("date-added-when-missing", "rfc9110#section-6.6.1", MUST,
                "A response without Date gets one on its way through the cache",
                "RFC 9110 §6.6.1: a recipient with a clock MUST append Date when it caches or forwards a Date-less response.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("max-age=3600").noDate().body("#" + r.sequence()));
                    Response a = ctx.get();
                    ctx.expectPresent(a, "Date");
                    Response b = ctx.get();
                    ctx.expectPresent(b, "Date");
                });
        test("date-valid-on-hit", "rfc9110#section-6.6.1", MUST, "Date on a hit is a valid IMF-fixdate",
                "RFC 9110 §5.6.7: senders MUST generate HTTP-date in the IMF-fixdate format.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600");
                    ctx.get();
                    Response b = ctx.get();
                    ctx.requireCount(1, "the second request was not served from cache");
                    String d = b.header("Date");
                    ctx.check(d != null && d.matches("(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} "
                            + "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT"),
                            "Date is not an IMF-fixdate: " + d);
                });
    }
}
