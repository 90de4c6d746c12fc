package dev.cachalot.conformance.suite;

import static dev.cachalot.conformance.dsl.Level.INFO;
import static dev.cachalot.conformance.dsl.Level.MUST;

import dev.cachalot.conformance.client.Response;
import dev.cachalot.conformance.origin.RecordedRequest;
import dev.cachalot.conformance.origin.Reply;

/** RFC 9111 §3.3-3.4 and RFC 9110 §14: partial content and incomplete responses. */
public final class RangeTests extends Dsl {
    private static final String BODY = "0123456789abcdefghij";

    /** An origin that honours single byte ranges of BODY. */
    static Reply rangeOrigin(RecordedRequest r, String cc) {
        String range = r.header("Range");
        if (range != null && range.matches("bytes=[0-9]+-[0-9]+") && r.header("If-Range") == null) {
            String[] p = range.substring(6).split("-");
            int a = Integer.parseInt(p[0]);
            int b = Math.min(Integer.parseInt(p[1]), BODY.length() - 1);
            if (a >= BODY.length()) {
                return Reply.status(416).header("Content-Range", "bytes */" + BODY.length());
            }
            return Reply.status(206).header("Cache-Control", cc).header("ETag", "\"r\"")
                    .header("Content-Range", "bytes " + a + "-" + b + "/" + BODY.length()).body(BODY.substring(a, b + 1));
        }
        return Reply.ok(cc).header("ETag", "\"r\"").body(BODY);
    }

    public RangeTests() {
        test("range-from-cache-correct", "rfc9110#section-14.2", MUST,
                "A range of a cached response is the right bytes (or the full response)",
                "RFC 9110 §14.2: a 206 carries exactly the requested range; a server MAY ignore Range and send 200.",
                ctx -> {
                    ctx.origin(r -> rangeOrigin(r, "max-age=3600"));
                    ctx.get();
                    Response b = ctx.get("Range", "bytes=2-5");
                    checkRange(ctx, b, "2345", "bytes 2-5/20");
                });
        test("range-from-cache-served", "rfc9111#section-3.4", INFO,
                "A range request on a cached full response is answered from cache",
                "RFC 9110 §14.2 lets a cache answer Range from a stored full response.",
                ctx -> {
                    ctx.origin(r -> rangeOrigin(r, "max-age=3600"));
                    ctx.get();
                    Response b = ctx.get("Range", "bytes=2-5");
                    ctx.expectStatus(b, 206);
                    ctx.expectCount(1, "the range request reached the origin");
                });
        test("range-suffix-correct", "rfc9110#section-14.1.2", MUST, "A suffix range bytes=-3 gives the last 3 bytes",
                "RFC 9110 §14.1.2: a suffix range selects the final N bytes.",
                ctx -> {
                    ctx.origin(r -> rangeOrigin(r, "max-age=3600"));
                    ctx.get();
                    Response b = ctx.get("Range", "bytes=-3");
                    checkRange(ctx, b, "hij", "bytes 17-19/20");
                });
        test("range-open-ended-correct", "rfc9110#section-14.1.2", MUST, "An open range bytes=15- gives the tail",
                "RFC 9110 §14.1.2: first-pos with no last-pos selects to the end.",
                ctx -> {
                    ctx.origin(r -> rangeOrigin(r, "max-age=3600"));
                    ctx.get();
                    Response b = ctx.get("Range", "bytes=15-");
                    checkRange(ctx, b, "fghij", "bytes 15-19/20");
                });
        test("range-unsatisfiable", "rfc9110#section-15.5.17", MUST,
                "An unsatisfiable range on a cached response gets 416 or the full response",
                "RFC 9110 §15.5.17: 416 for no overlap; a server MAY ignore Range; a wrong 206 is never allowed.",
                ctx -> {
                    ctx.origin(r -> rangeOrigin(r, "max-age=3600"));
                    ctx.get();
                    Response b = ctx.get("Range", "bytes=100-200");
                    ctx.check(b.status() == 416 || (b.status() == 200 && b.text().equals(BODY)),
                            "expected 416 or the full 200, got " + b.summary());
                });
        test("range-if-range-mismatch-full", "rfc9110#section-13.1.5", MUST,
                "If-Range with a different ETag gets the full response",
                "RFC 9110 §13.1.5: if the validator does not match, the recipient MUST ignore the Range field.",
                ctx -> {
                    ctx.origin(r -> rangeOrigin(r, "max-age=3600"));
                    ctx.get();
                    Response b = ctx.get("Range", "bytes=2-5", "If-Range", "\"other\"");
                    ctx.expectStatus(b, 200);
                    ctx.expectBody(b, BODY);
                });
        test("range-if-range-match-partial", "rfc9110#section-13.1.5", MUST,
                "If-Range with the current ETag gets correct partial content (or the full response)",
                "RFC 9110 §13.1.5: with a matching strong validator the Range is evaluated.",
                ctx -> {
                    ctx.origin(r -> rangeOrigin(r, "max-age=3600"));
                    ctx.get();
                    Response b = ctx.get("Range", "bytes=2-5", "If-Range", "\"r\"");
                    checkRange(ctx, b, "2345", "bytes 2-5/20");
                });
        test("range-206-not-for-full-request", "rfc9111#section-3.3", MUST,
                "A stored 206 is not used to answer a request for the whole resource",
                "§3.3 and §4: a cache MUST NOT use an incomplete response to answer requests for the full one.",
                ctx -> {
                    ctx.origin(r -> rangeOrigin(r, "max-age=3600"));
                    Response a = ctx.get("Range", "bytes=0-3");
                    ctx.require(a.status() == 206 || a.status() == 200, "first range request failed: " + a.summary());
                    Response b = ctx.get();
                    ctx.expectStatus(b, 200);
                    ctx.expectBody(b, BODY);
                });
        test("range-miss-correct", "rfc9110#section-14.2", MUST,
                "A range request on an empty cache gets the right bytes",
                "RFC 9110 §14.2: a 206 carries exactly the requested range.",
                ctx -> {
                    ctx.origin(r -> rangeOrigin(r, "max-age=3600"));
                    Response b = ctx.get("Range", "bytes=4-7");
                    checkRange(ctx, b, "4567", "bytes 4-7/20");
                });
        test("incomplete-not-reused", "rfc9111#section-3.3", MUST,
                "A response cut short of its Content-Length is not served later as complete",
                "§3.3: a cache MUST NOT use an incomplete response to answer requests unless made complete.",
                ctx -> {
                    ctx.origin(r -> r.sequence() == 1
                            ? Reply.ok("max-age=3600").body("x".repeat(10000)).truncateAfter(4000)
                            : Reply.ok("max-age=3600").body("complete"));
                    ctx.get();
                    Response b = ctx.get();
                    ctx.check(b.status() == 200 && b.complete() && b.text().equals("complete"),
                            "the truncated response was reused: " + b.summary() + (b.complete() ? "" : " (incomplete)"));
                });
        test("incomplete-chunked-not-reused", "rfc9111#section-3.3", MUST,
                "A chunked response without its last chunk is not served later as complete",
                "§3.3: an incomplete response MUST NOT be used to answer requests as complete.",
                ctx -> {
                    ctx.origin(r -> r.sequence() == 1
                            ? Reply.ok("max-age=3600").body("y".repeat(10000)).chunked().slow(2000, 0).truncateAfter(4000)
                            : Reply.ok("max-age=3600").body("complete"));
                    ctx.get();
                    Response b = ctx.get();
                    ctx.check(b.status() == 200 && b.complete() && b.text().equals("complete"),
                            "the truncated response was reused: " + b.summary() + (b.complete() ? "" : " (incomplete)"));
                });
        test("incomplete-not-passed-as-complete", "rfc9112#section-8", MUST,
                "A body cut short by the origin is not delivered as a complete message",
                "RFC 9112 §8: a message with a Content-Length that closes early is incomplete and must not appear complete.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("max-age=3600").body("z".repeat(10000)).truncateAfter(4000));
                    Response a = ctx.get();
                    ctx.check(!(a.status() == 200 && a.complete() && a.body().length == 4000),
                            "the cache delivered the truncated body as a complete 4000-byte response");
                    ctx.check(!(a.complete() && a.status() == 200 && a.body().length < 10000),
                            "the cache delivered " + a.body().length + " bytes as a complete response");
                });
    }

    private static void checkRange(dev.cachalot.conformance.dsl.Ctx ctx, Response b, String part, String contentRange) {
        if (b.status() == 200) {
            ctx.expectBody(b, BODY);
            return;
        }
        ctx.expectStatus(b, 206);
        ctx.expectBody(b, part);
        ctx.expectHeader(b, "Content-Range", contentRange);
    }
}
