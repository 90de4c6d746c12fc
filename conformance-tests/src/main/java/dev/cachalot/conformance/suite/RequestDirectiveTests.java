package dev.cachalot.conformance.suite;

import static dev.cachalot.conformance.dsl.Level.INFO;
import static dev.cachalot.conformance.dsl.Level.MUST;
import static dev.cachalot.conformance.dsl.Level.SHOULD;

import dev.cachalot.conformance.client.Response;

/**
 * RFC 9111 §5.2.1: request cache directives. RFC 9111 words max-age, max-stale, min-fresh and no-cache as client
 * preferences without a requirement keyword, so those tests are informational; no-store and only-if-cached carry
 * MUST and SHOULD.
 */
public final class RequestDirectiveTests extends Dsl {
    public RequestDirectiveTests() {
        test("req-no-store-not-stored", "rfc9111#section-5.2.1.5", MUST, "A request with no-store leaves nothing stored",
                "§5.2.1.5: a cache MUST NOT store any part of either this request or any response to it.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600");
                    ctx.get("Cache-Control", "no-store");
                    ctx.get();
                    ctx.expectCount(2, "the response to a no-store request must not have been stored");
                });
        test("req-no-store-uppercase", "rfc9111#section-5.2.1.5", MUST, "NO-STORE in a request is honoured",
                "§5.2: directive names are case-insensitive; §5.2.1.5 forbids storing.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600");
                    ctx.get("Cache-Control", "NO-STORE");
                    ctx.get();
                    ctx.expectCount(2, "the response to a NO-STORE request must not have been stored");
                });
        test("req-no-cache-revalidates", "rfc9111#section-5.2.1.4", INFO, "Request no-cache goes to the origin",
                "§5.2.1.4: the client prefers that a stored response not be used without validation.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600");
                    ctx.get();
                    ctx.get("Cache-Control", "no-cache");
                    ctx.expectCount(2, "the no-cache request was answered from cache");
                });
        test("req-pragma-no-cache", "rfc9111#section-5.4", INFO,
                "Request Pragma: no-cache (without Cache-Control) goes to the origin",
                "§5.4: Pragma is deprecated, but HTTP/1.0 clients still send it.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600");
                    ctx.get();
                    ctx.get("Pragma", "no-cache");
                    ctx.expectCount(2, "the Pragma: no-cache request was answered from cache");
                });
        test("req-max-age-0", "rfc9111#section-5.2.1.1", INFO, "Request max-age=0 goes to the origin",
                "§5.2.1.1: the client prefers a response whose age is at most 0 s.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600");
                    ctx.get();
                    ctx.pause(1100);
                    ctx.get("Cache-Control", "max-age=0");
                    ctx.expectCount(2, "the max-age=0 request was answered from cache");
                });
        test("req-max-age-1-old-entry", "rfc9111#section-5.2.1.1", INFO,
                "Request max-age=1 refuses an entry 2.5 s old",
                "§5.2.1.1: the client prefers a response whose age is at most 1 s.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600");
                    ctx.get();
                    ctx.pause(2500);
                    ctx.get("Cache-Control", "max-age=1");
                    ctx.expectCount(2, "an entry older than the request's max-age was used");
                });
        test("req-max-age-large-uses-cache", "rfc9111#section-5.2.1.1", INFO, "Request max-age=3600 accepts a fresh entry",
                "§5.2.1.1: a fresh response younger than the request's max-age satisfies the client.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600");
                    ctx.get();
                    ctx.get("Cache-Control", "max-age=3600");
                    ctx.expectCount(1, "the fresh entry was not used");
                });
        test("req-min-fresh", "rfc9111#section-5.2.1.3", INFO, "Request min-fresh beyond the remaining lifetime goes to the origin",
                "§5.2.1.3: the client wants a response that will still be fresh for at least min-fresh seconds.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=60");
                    ctx.get();
                    ctx.get("Cache-Control", "min-fresh=3600");
                    ctx.expectCount(2, "a response fresh for only 60 s satisfied min-fresh=3600");
                });
        test("req-max-stale-serves-stale", "rfc9111#section-5.2.1.2", INFO, "Request max-stale lets a stale entry be used",
                "§5.2.1.2: the client is willing to accept a response that has exceeded its lifetime.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=1");
                    ctx.get();
                    ctx.pause(2500);
                    Response b = ctx.get("Cache-Control", "max-stale=3600");
                    ctx.check(b.text().equals("#1"), "the stale entry was not used despite max-stale: " + b.summary());
                });
        test("req-max-stale-must-revalidate", "rfc9111#section-5.2.2.2", MUST,
                "must-revalidate overrides a request's max-stale",
                "§5.2.2.2: once stale, a must-revalidate response MUST NOT be reused without validation, even with max-stale.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=1, must-revalidate");
                    ctx.get();
                    ctx.pause(2500);
                    Response b = ctx.get("Cache-Control", "max-stale=3600");
                    ctx.expectCount(2, "a stale must-revalidate response was served for max-stale");
                    ctx.check(!b.text().equals("#1"), "served the stale body");
                });
        test("req-max-stale-proxy-revalidate", "rfc9111#section-5.2.2.8", MUST,
                "proxy-revalidate overrides a request's max-stale in a shared cache",
                "§5.2.2.8: proxy-revalidate has must-revalidate's meaning for shared caches.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=1, proxy-revalidate");
                    ctx.get();
                    ctx.pause(2500);
                    Response b = ctx.get("Cache-Control", "max-stale=3600");
                    ctx.check(!b.text().equals("#1"), "a stale proxy-revalidate response was served for max-stale");
                });
        test("req-max-stale-s-maxage", "rfc9111#section-5.2.2.10", MUST,
                "s-maxage implies proxy-revalidate: no stale reuse even with max-stale",
                "§5.2.2.10: s-maxage also implies the semantics of proxy-revalidate.",
                ctx -> {
                    ctx.serve("Cache-Control", "s-maxage=1");
                    ctx.get();
                    ctx.pause(2500);
                    Response b = ctx.get("Cache-Control", "max-stale=3600");
                    ctx.check(!b.text().equals("#1"), "a stale s-maxage response was served for max-stale");
                });
        test("req-only-if-cached-miss-504", "rfc9111#section-5.2.1.7", SHOULD, "only-if-cached on a miss answers 504",
                "§5.2.1.7: without a stored response, a cache SHOULD respond with 504 (Gateway Timeout).",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600");
                    Response a = ctx.get("Cache-Control", "only-if-cached");
                    ctx.expectStatus(a, 504);
                });
        test("req-only-if-cached-no-origin", "rfc9111#section-5.2.1.7", SHOULD,
                "only-if-cached never contacts the origin",
                "§5.2.1.7: the client wishes to obtain a stored response; the cache should not forward.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600");
                    ctx.get("Cache-Control", "only-if-cached");
                    ctx.expectCount(0, "only-if-cached reached the origin");
                });
        test("req-only-if-cached-hit", "rfc9111#section-5.2.1.7", SHOULD, "only-if-cached on a hit answers from cache",
                "§5.2.1.7: a cache SHOULD respond using a stored response consistent with the request.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600");
                    ctx.get();
                    ctx.requireCount(1, "the first request did not reach the origin");
                    Response b = ctx.get("Cache-Control", "only-if-cached");
                    ctx.require(ctx.count() == 1 || b.status() != 504, "entry not stored");
                    ctx.expectStatus(b, 200);
                    ctx.expectCount(1, "only-if-cached reached the origin although a fresh entry existed");
                });
        test("req-unknown-directive-ignored", "rfc9111#section-5.2.3", MUST,
                "An unknown request directive does not prevent reuse",
                "§5.2.3: a cache MUST ignore unrecognized cache directives.",
                ctx -> {
                    control(ctx, 0);
                    ctx.serve("Cache-Control", "max-age=3600");
                    ctx.get();
                    ctx.get("Cache-Control", "x-unknown-request-directive=1");
                    ctx.check(countFor(ctx, "/r") == 1, "an unknown request directive prevented reuse");
                });
    }
}
