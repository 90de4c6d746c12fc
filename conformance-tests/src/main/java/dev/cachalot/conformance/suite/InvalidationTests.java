package dev.cachalot.conformance.suite;

import static dev.cachalot.conformance.dsl.Level.MAY;
import static dev.cachalot.conformance.dsl.Level.MUST;

import dev.cachalot.conformance.client.Response;
import dev.cachalot.conformance.origin.Reply;

/** RFC 9111 §4.4: invalidation by unsafe methods, and write-through of unsafe requests (§4). */
public final class InvalidationTests extends Dsl {
    public InvalidationTests() {
        for (String method : new String[] {"POST", "PUT", "DELETE", "PATCH", "FOO"}) {
            String m = method.toLowerCase(java.util.Locale.ROOT);
            test("invalidate-" + m, "rfc9111#section-4.4", MUST,
                    "A successful " + method + " invalidates the stored response for its URI",
                    "§4.4: a cache MUST invalidate the target URI after a non-error response to an unsafe method"
                            + (method.equals("FOO") ? " (unknown methods are unsafe)." : "."),
                    ctx -> {
                        ctx.origin(r -> r.method().equals("GET") ? Reply.ok("max-age=3600").body("#" + r.sequence())
                                : Reply.status(200).header("Cache-Control", "no-store").body("done"));
                        ctx.get();
                        ctx.get();
                        ctx.requireCount(1, "the GET response was not stored");
                        Response u = ctx.send(method, ctx.path(), "x");
                        ctx.require(u.status() == 200, method + " was not forwarded successfully: " + u.summary());
                        Response c = ctx.get();
                        ctx.expectCount(3, "the GET after " + method + " must reach the origin");
                        ctx.expectBody(c, "#3");
                    });
            test("write-through-" + m, "rfc9111#section-4", MUST,
                    "Every " + method + " is forwarded to the origin, even with a cacheable response",
                    "§4: a cache MUST write through requests with unsafe methods to the origin server.",
                    ctx -> {
                        ctx.serve("Cache-Control", "max-age=3600");
                        ctx.send(method, ctx.path(), "a");
                        Response b = ctx.send(method, ctx.path(), "b");
                        ctx.expectCount(2, "the second " + method + " must reach the origin");
                        ctx.expectBody(b, "#2");
                    });
        }
        test("invalidate-post-303", "rfc9111#section-4.4", MUST, "A POST answered with 303 invalidates the URI",
                "§4.4: any non-error status (2xx or 3xx) triggers invalidation.",
                ctx -> {
                    ctx.origin(r -> r.method().equals("GET") ? Reply.ok("max-age=3600").body("#" + r.sequence())
                            : Reply.status(303).header("Location", ctx.path()).body(""));
                    ctx.get();
                    ctx.get();
                    ctx.requireCount(1, "the GET response was not stored");
                    ctx.send("POST", ctx.path(), "x");
                    Response c = ctx.get();
                    ctx.expectCount(3, "the GET after POST must reach the origin");
                    ctx.expectBody(c, "#3");
                });
        test("invalidate-all-variants", "rfc9111#section-4.4", MUST, "Invalidation removes every Vary variant of the URI",
                "§4.4: the target URI is invalidated, whatever variants are stored for it.",
                ctx -> {
                    ctx.origin(r -> r.method().equals("GET")
                            ? Reply.ok("max-age=3600").header("Vary", "Accept-Language").body("#" + r.sequence())
                            : Reply.status(204));
                    ctx.get("Accept-Language", "en");
                    ctx.get("Accept-Language", "fr");
                    ctx.get("Accept-Language", "en");
                    ctx.get("Accept-Language", "fr");
                    ctx.requireCount(2, "the variants were not stored");
                    ctx.send("POST", ctx.path(), "x");
                    ctx.get("Accept-Language", "en");
                    ctx.get("Accept-Language", "fr");
                    ctx.expectCount(5, "both variants must be fetched again after the POST");
                });
        test("invalidate-location", "rfc9111#section-4.4", MAY, "A POST's Location URI (same origin) is invalidated",
                "§4.4: a cache MAY invalidate the URIs in Location and Content-Location.",
                ctx -> {
                    String other = ctx.path("other");
                    ctx.origin(r -> r.method().equals("GET") ? Reply.ok("max-age=3600").body("#" + r.sequence())
                            : Reply.status(201).header("Location", other).body(""));
                    ctx.getPath(other);
                    ctx.getPath(other);
                    ctx.requireCount(1, "the GET response was not stored");
                    ctx.send("POST", ctx.path(), "x");
                    ctx.getPath(other);
                    ctx.expectCount(3, "the Location URI was not invalidated");
                });
        test("invalidate-content-location", "rfc9111#section-4.4", MAY,
                "A PUT's Content-Location URI (same origin) is invalidated",
                "§4.4: a cache MAY invalidate the URIs in Location and Content-Location.",
                ctx -> {
                    String other = ctx.path("other");
                    ctx.origin(r -> r.method().equals("GET") ? Reply.ok("max-age=3600").body("#" + r.sequence())
                            : Reply.status(200).header("Content-Location", other).body("ok"));
                    ctx.getPath(other);
                    ctx.getPath(other);
                    ctx.requireCount(1, "the GET response was not stored");
                    ctx.send("PUT", ctx.path(), "x");
                    ctx.getPath(other);
                    ctx.expectCount(3, "the Content-Location URI was not invalidated");
                });
        test("invalidate-not-on-error", "rfc9111#section-4.4", MAY,
                "A POST answered with 500 need not invalidate",
                "§4.4: invalidation is required only for non-error status codes.",
                ctx -> {
                    ctx.origin(r -> r.method().equals("GET") ? Reply.ok("max-age=3600").body("#" + r.sequence())
                            : Reply.status(500).body("err"));
                    ctx.get();
                    ctx.send("POST", ctx.path(), "x");
                    ctx.get();
                    ctx.expectCount(2, "the stored response was dropped after a failed POST");
                });
        test("no-invalidate-on-head", "rfc9111#section-4.4", MAY, "HEAD (a safe method) leaves the entry in place",
                "§4.4: only unsafe methods trigger invalidation.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600");
                    ctx.get();
                    ctx.send("HEAD", ctx.path(), null);
                    Response c = ctx.get();
                    ctx.expectBody(c, "#1");
                    ctx.expectCount(1, "the GET after HEAD reached the origin");
                });
        test("no-invalidate-on-options", "rfc9111#section-4.4", MAY, "OPTIONS (a safe method) leaves the entry in place",
                "§4.4: only unsafe methods trigger invalidation.",
                ctx -> {
                    ctx.origin(r -> r.method().equals("GET") ? Reply.ok("max-age=3600").body("#" + r.sequence())
                            : Reply.status(204).header("Allow", "GET, OPTIONS"));
                    ctx.get();
                    ctx.send("OPTIONS", ctx.path(), null);
                    Response c = ctx.get();
                    ctx.expectBody(c, "#1");
                });
        test("invalidate-other-uri-untouched", "rfc9111#section-4.4", MAY, "A POST to one URI leaves other URIs cached",
                "§4.4: invalidation applies to the target URI (and optionally Location/Content-Location).",
                ctx -> {
                    ctx.origin(r -> r.method().equals("GET") ? Reply.ok("max-age=3600").body("#" + r.sequence())
                            : Reply.status(204));
                    ctx.get();
                    ctx.send("POST", ctx.path("elsewhere"), "x");
                    Response c = ctx.get();
                    ctx.expectBody(c, "#1");
                });
    }
}
