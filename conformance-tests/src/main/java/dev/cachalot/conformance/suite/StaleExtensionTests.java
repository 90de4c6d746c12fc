package dev.cachalot.conformance.suite;

import static dev.cachalot.conformance.dsl.Level.MAY;
import static dev.cachalot.conformance.dsl.Level.MUST;
import static dev.cachalot.conformance.dsl.Level.SHOULD;

import dev.cachalot.conformance.client.Response;
import dev.cachalot.conformance.origin.Reply;

/** RFC 5861 stale-while-revalidate and stale-if-error, and RFC 9111 §4.2.4 limits on serving stale. */
public final class StaleExtensionTests extends Dsl {
    public StaleExtensionTests() {
        test("swr-serves-stale", "rfc5861#section-3", MAY, "Within stale-while-revalidate, a stale response is served",
                "RFC 5861 §3: caches MAY serve the response after it becomes stale, up to the indicated seconds.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("max-age=1, stale-while-revalidate=60").body("#" + r.sequence()).delay(
                            r.sequence() > 1 ? 1500 : 0));
                    ctx.get();
                    ctx.pause(2500);
                    Response b = ctx.get();
                    ctx.expectBody(b, "#1");
                });
        test("swr-revalidates-in-background", "rfc5861#section-3", SHOULD,
                "A response served stale under stale-while-revalidate is refreshed in the background",
                "RFC 5861 §3: the cache SHOULD attempt to revalidate it while still serving stale responses.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("max-age=1, stale-while-revalidate=60").body("#" + r.sequence()));
                    ctx.get();
                    ctx.pause(2500);
                    Response b = ctx.get();
                    ctx.require(b.text().equals("#1"), "the stale response was not served (" + b.summary() + ")");
                    int n = ctx.awaitCount(2, 3000);
                    ctx.check(n >= 2, "no background revalidation reached the origin within 3 s");
                    ctx.pause(300);
                    Response c = ctx.get();
                    ctx.expectBody(c, "#2");
                });
        test("swr-not-blocking", "rfc5861#section-3", SHOULD,
                "The stale response is sent without waiting for a slow revalidation",
                "RFC 5861 §3: revalidation happens while still serving stale responses (i.e., without blocking).",
                ctx -> {
                    ctx.origin(r -> Reply.ok("max-age=1, stale-while-revalidate=60").body("#" + r.sequence())
                            .delay(r.sequence() > 1 ? 3000 : 0));
                    ctx.get();
                    ctx.pause(2500);
                    Response b = ctx.get();
                    ctx.require(b.text().equals("#1"), "the stale response was not served (" + b.summary() + ")");
                    ctx.check(b.totalMillis() < 2000, "the stale response took " + b.totalMillis()
                            + " ms: the cache waited for the 3 s revalidation");
                });
        test("swr-window-expired", "rfc9111#section-4.2.4", MUST,
                "Past the stale-while-revalidate window, the stale response is not served",
                "§4.2.4: a cache MUST NOT generate a stale response unless permitted; RFC 5861 permits only the window.",
                notReused(3500, "Cache-Control", "max-age=1, stale-while-revalidate=1"));
        test("sie-serves-stale-on-500", "rfc5861#section-4", MAY, "stale-if-error serves the stale response on 500",
                "RFC 5861 §4: the cache MAY use a stale response when an error (500, 502, 503, 504) is encountered.",
                ctx -> sie(ctx, Reply.status(500).body("error")));
        test("sie-serves-stale-on-503", "rfc5861#section-4", MAY, "stale-if-error serves the stale response on 503",
                "RFC 5861 §4: 503 is one of the errors stale-if-error covers.",
                ctx -> sie(ctx, Reply.status(503).body("error")));
        test("sie-serves-stale-on-502", "rfc5861#section-4", MAY, "stale-if-error serves the stale response on 502",
                "RFC 5861 §4: 502 is one of the errors stale-if-error covers.",
                ctx -> sie(ctx, Reply.status(502).body("error")));
        test("sie-serves-stale-on-drop", "rfc5861#section-4", MAY,
                "stale-if-error serves the stale response when the origin drops the connection",
                "RFC 5861 §4: an error includes a failure to reach the origin.",
                ctx -> sie(ctx, Reply.drop()));
        test("sie-not-on-404", "rfc9111#section-4.2.4", MUST, "stale-if-error does not hide a 404",
                "RFC 5861 §4 covers 500-504 only; §4.2.4 forbids serving stale otherwise.",
                ctx -> {
                    ctx.origin(r -> r.sequence() == 1 ? Reply.ok("max-age=1, stale-if-error=60").body("#1")
                            : Reply.status(404).header("Cache-Control", "no-store").body("gone"));
                    ctx.get();
                    ctx.pause(2500);
                    Response b = ctx.get();
                    ctx.expectStatus(b, 404);
                });
        test("sie-window-expired", "rfc9111#section-4.2.4", MUST,
                "Past the stale-if-error window, the error is forwarded",
                "§4.2.4: a stale response MUST NOT be generated unless permitted; the permission ended.",
                ctx -> {
                    ctx.origin(r -> r.sequence() == 1 ? Reply.ok("max-age=1, stale-if-error=1").body("#1")
                            : Reply.status(500).body("error"));
                    ctx.get();
                    ctx.pause(3500);
                    Response b = ctx.get();
                    ctx.expectStatus(b, 500);
                });
        test("sie-request-directive", "rfc5861#section-4", MAY, "A request's stale-if-error allows stale on error",
                "RFC 5861 §4: stale-if-error can also appear in requests.",
                ctx -> {
                    ctx.origin(r -> r.sequence() == 1 ? Reply.ok("max-age=1").body("#1") : Reply.status(500).body("error"));
                    ctx.get();
                    ctx.pause(2500);
                    Response b = ctx.get("Cache-Control", "stale-if-error=60");
                    ctx.expectBody(b, "#1");
                });
        test("must-revalidate-no-stale-on-error", "rfc9111#section-5.2.2.2", MUST,
                "must-revalidate: an unreachable origin never yields the stale response",
                "§5.2.2.2: if the cache cannot reach the origin it MUST NOT reuse the stale response; it generates an error.",
                ctx -> {
                    ctx.origin(r -> r.sequence() == 1 ? Reply.ok("max-age=1, must-revalidate").body("#1") : Reply.drop());
                    ctx.get();
                    ctx.pause(2500);
                    Response b = ctx.get();
                    ctx.check(!b.text().equals("#1"), "the stale must-revalidate response was served: " + b.summary());
                });
        test("must-revalidate-504", "rfc9111#section-5.2.2.2", SHOULD,
                "must-revalidate with an unreachable origin answers 504",
                "§5.2.2.2: the generated status code SHOULD be 504 (Gateway Timeout).",
                ctx -> {
                    ctx.origin(r -> r.sequence() == 1 ? Reply.ok("max-age=1, must-revalidate").body("#1") : Reply.drop());
                    ctx.get();
                    ctx.pause(2500);
                    Response b = ctx.get();
                    ctx.expectStatus(b, 504);
                });
        test("must-revalidate-overrides-sie", "rfc9111#section-5.2.2.2", MUST,
                "must-revalidate wins over stale-if-error",
                "§5.2.2.2: a must-revalidate response MUST NOT be reused stale; RFC 5861 §4 defers to it.",
                ctx -> {
                    ctx.origin(r -> r.sequence() == 1 ? Reply.ok("max-age=1, must-revalidate, stale-if-error=60").body("#1")
                            : Reply.status(500).body("error"));
                    ctx.get();
                    ctx.pause(2500);
                    Response b = ctx.get();
                    ctx.check(!b.text().equals("#1"), "the stale must-revalidate response was served: " + b.summary());
                });
        test("proxy-revalidate-no-stale-on-error", "rfc9111#section-5.2.2.8", MUST,
                "proxy-revalidate: a shared cache never serves the stale response on error",
                "§5.2.2.8: proxy-revalidate has must-revalidate's meaning for shared caches.",
                ctx -> {
                    ctx.origin(r -> r.sequence() == 1 ? Reply.ok("max-age=1, proxy-revalidate").body("#1") : Reply.drop());
                    ctx.get();
                    ctx.pause(2500);
                    Response b = ctx.get();
                    ctx.check(!b.text().equals("#1"), "the stale proxy-revalidate response was served: " + b.summary());
                });
        test("stale-when-disconnected", "rfc9111#section-4.2.4", MAY,
                "A stale response may be served when the origin cannot be reached",
                "§4.2.4: a cache MUST NOT generate a stale response unless it is disconnected (then it MAY).",
                ctx -> {
                    ctx.origin(r -> r.sequence() == 1 ? Reply.ok("max-age=1").body("#1") : Reply.drop());
                    ctx.get();
                    ctx.pause(2500);
                    Response b = ctx.get();
                    ctx.expectBody(b, "#1");
                });
    }

    private static void sie(dev.cachalot.conformance.dsl.Ctx ctx, Reply error) throws Exception {
        ctx.origin(r -> r.sequence() == 1 ? Reply.ok("max-age=1, stale-if-error=60").body("#1") : error);
        ctx.get();
        ctx.pause(2500);
        Response b = ctx.get();
        ctx.expectStatus(b, 200);
        ctx.expectBody(b, "#1");
    }
}
