package dev.cachalot.conformance.suite;

import static dev.cachalot.conformance.dsl.Level.MAY;
import static dev.cachalot.conformance.dsl.Level.MUST;

import dev.cachalot.conformance.client.Response;
import dev.cachalot.conformance.origin.Reply;

/** RFC 9111 §3: which responses a shared cache may store, and §3.5 Authorization. */
public final class StorageTests extends Dsl {
    public StorageTests() {
        test("store-max-age", "rfc9111#section-3", MAY, "A response with max-age is stored and reused",
                "§3: a cache MAY store a response with explicit freshness; §4.2: a fresh stored response can be reused.",
                reused(0, "Cache-Control", "max-age=3600"));
        test("store-s-maxage", "rfc9111#section-5.2.2.10", MAY, "A response with only s-maxage is stored and reused",
                "§5.2.2.10: s-maxage gives a shared cache an explicit freshness lifetime.",
                reused(0, "Cache-Control", "s-maxage=3600"));
        test("store-expires", "rfc9111#section-5.3", MAY, "A response with a future Expires is stored and reused",
                "§5.3: Expires gives the date after which the response is stale.",
                ctx -> reused(0, "Expires", httpDate(3600)).run(ctx));
        test("store-public-max-age", "rfc9111#section-5.2.2.9", MAY, "public, max-age=3600 is stored and reused",
                "§5.2.2.9: public lets any cache store the response.", reused(0, "Cache-Control", "public, max-age=3600"));
        test("store-must-revalidate-fresh", "rfc9111#section-5.2.2.2", MAY,
                "A fresh must-revalidate response is reused while fresh",
                "§5.2.2.2: must-revalidate only constrains reuse once the response is stale.",
                reused(0, "Cache-Control", "max-age=3600, must-revalidate"));
        test("store-etag-max-age-reused", "rfc9111#section-4.2", MAY, "A fresh response with an ETag is reused",
                "§4.2: a fresh response can be reused without validation.",
                reused(0, "Cache-Control", "max-age=3600", "ETag", "\"v1\""));
        test("store-chunked-response", "rfc9111#section-3", MAY, "A chunked response with max-age is stored and reused",
                "§3: transfer codings are not part of the stored response; chunked responses are storable.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("max-age=3600").body("chunked-body-" + r.sequence()).chunked());
                    Response a = ctx.get();
                    Response b = ctx.get();
                    ctx.expectCount(1, "the chunked response should be reused");
                    ctx.expectBody(b, a.text());
                });
        test("store-close-delimited", "rfc9111#section-3", MAY,
                "A close-delimited response with max-age is stored and reused",
                "RFC 9112 §6.3: a body delimited by connection close is complete when the connection closes normally.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("max-age=3600").body("close-" + r.sequence()).closeDelimited());
                    Response a = ctx.get();
                    ctx.expectBody(a, "close-1");
                    Response b = ctx.get();
                    ctx.expectCount(1, "the close-delimited response should be reused");
                    ctx.expectBody(b, "close-1");
                });

        // Explicit freshness makes any final status storable (§3); these are permissions, hence MAY.
        for (int status : new int[] {203, 204, 300, 301, 302, 307, 308, 404, 405, 410, 414, 501}) {
            test("store-status-" + status, "rfc9111#section-3", MAY,
                    "A " + status + " response with max-age is stored and reused",
                    "§3: a response with a final status code and explicit freshness can be stored.",
                    ctx -> {
                        ctx.origin(r -> {
                            Reply rep = Reply.status(status).header("Cache-Control", "max-age=3600");
                            if (status != 204) {
                                rep.body("#" + r.sequence());
                            }
                            if (status / 100 == 3) {
                                rep.header("Location", "/elsewhere");
                            }
                            if (status == 405) {
                                rep.header("Allow", "GET");
                            }
                            return rep;
                        });
                        Response a = ctx.get();
                        ctx.expectStatus(a, status);
                        Response b = ctx.get();
                        ctx.expectCount(1, "the " + status + " response should be reused");
                        ctx.expectStatus(b, status);
                    });
        }

        test("store-no-store", "rfc9111#section-5.2.2.5", MUST, "A no-store response is not reused",
                "§5.2.2.5: a cache MUST NOT store any part of a response with no-store.",
                notReused(0, "Cache-Control", "no-store"));
        test("store-no-store-with-max-age", "rfc9111#section-5.2.2.5", MUST,
                "no-store wins over max-age in the same response",
                "§5.2.2.5: no-store means MUST NOT store, whatever else the response says.",
                notReused(0, "Cache-Control", "max-age=3600, no-store"));
        test("store-no-store-uppercase", "rfc9111#section-5.2", MUST, "NO-STORE in upper case is honoured",
                "§5.2: cache directives are compared case-insensitively; no-store means MUST NOT store.",
                notReused(0, "Cache-Control", "max-age=3600, NO-STORE"));
        test("store-no-store-second-line", "rfc9111#section-5.2", MUST,
                "no-store on a second Cache-Control field line is honoured",
                "RFC 9110 §5.3: field lines combine into one list, so no-store on any line applies.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("max-age=3600").header("Cache-Control", "no-store").body("#" + r.sequence()));
                    ctx.get();
                    ctx.get();
                    ctx.expectCount(2, "no-store on the second Cache-Control line must prevent storage");
                });
        test("store-private", "rfc9111#section-5.2.2.7", MUST, "A shared cache does not reuse a private response",
                "§5.2.2.7: a shared cache MUST NOT store a response with the unqualified private directive.",
                notReused(0, "Cache-Control", "private"));
        test("store-private-max-age", "rfc9111#section-5.2.2.7", MUST, "private wins over max-age in a shared cache",
                "§5.2.2.7: private, max-age=3600 must not be stored by a shared cache.",
                notReused(0, "Cache-Control", "private, max-age=3600"));
        test("store-private-s-maxage", "rfc9111#section-5.2.2.7", MUST, "private wins over s-maxage",
                "§5.2.2.7: a shared cache MUST NOT store a private response.",
                notReused(0, "Cache-Control", "s-maxage=3600, private"));
        test("store-private-qualified-field", "rfc9111#section-5.2.2.7", MUST,
                "private=\"Set-Cookie\": the named field is not sent from a shared cache",
                "§5.2.2.7: with qualified private, a shared cache MUST NOT store the listed fields.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("max-age=3600, private=\"Set-Cookie\"").header("Set-Cookie", "s=" + r.sequence())
                            .body("#" + r.sequence()));
                    ctx.get();
                    Response b = ctx.get();
                    if (ctx.count() == 1) {
                        ctx.expectAbsent(b, "Set-Cookie");
                    }
                });
        test("store-no-cache-qualified-field", "rfc9111#section-5.2.2.4", MUST,
                "no-cache=\"Set-Cookie\": the named field is not sent on reuse without validation",
                "§5.2.2.4: with qualified no-cache, the listed fields MUST NOT be sent without successful revalidation.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("max-age=3600, no-cache=\"Set-Cookie\"").header("Set-Cookie", "s=" + r.sequence())
                            .body("#" + r.sequence()));
                    ctx.get();
                    Response b = ctx.get();
                    if (ctx.count() == 1) {
                        ctx.expectAbsent(b, "Set-Cookie");
                    }
                });
        test("store-must-understand-unknown-status", "rfc9111#section-5.2.2.3", MUST,
                "must-understand with an unknown status code is not stored",
                "§5.2.2.3: a cache MUST NOT store a must-understand response whose status code it does not understand.",
                ctx -> {
                    ctx.origin(r -> Reply.status(299).header("Cache-Control", "must-understand, max-age=3600")
                            .body("#" + r.sequence()));
                    ctx.get();
                    ctx.get();
                    ctx.expectCount(2, "a 299 must-understand response must not be stored");
                });
        test("store-must-understand-overrides-no-store", "rfc9111#section-5.2.2.3", MAY,
                "must-understand with a known status lets a cache ignore no-store",
                "§5.2.2.3: a cache that understands the status code MAY store despite no-store.",
                reused(0, "Cache-Control", "must-understand, no-store, max-age=3600"));
        test("store-unknown-status-no-freshness", "rfc9111#section-3", MUST,
                "A response with an unknown status and no explicit freshness is not reused",
                "§3 and §4.2.2: 299 is not heuristically cacheable, so without explicit freshness it is never fresh.",
                ctx -> {
                    ctx.origin(r -> Reply.status(299).header("Last-Modified", httpDate(-86400 * 365)).body("#" + r.sequence()));
                    ctx.get();
                    ctx.get();
                    ctx.expectCount(2, "a 299 without explicit freshness must not be reused");
                });
        test("store-post-not-used-for-get", "rfc9111#section-4", MUST,
                "A response to POST is not used to answer a GET for the same URI",
                "§4: a stored response is used only if the request method associated with it allows it.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600");
                    ctx.send("POST", ctx.path(), "a=1", "Content-Type", "application/x-www-form-urlencoded");
                    Response b = ctx.get();
                    ctx.expectCount(2, "the GET must be forwarded");
                    ctx.expectBody(b, "#2");
                });
        test("store-head-not-used-for-get", "rfc9111#section-4", MUST,
                "A GET after a cached HEAD receives a complete body",
                "§4: a HEAD response has no content, so it cannot satisfy a GET (RFC 9110 §9.3.2).",
                ctx -> {
                    ctx.origin(r -> Reply.ok("max-age=3600").body("body-" + r.sequence()));
                    ctx.send("HEAD", ctx.path(), null);
                    Response b = ctx.get();
                    ctx.check(b.status() == 200 && b.text().startsWith("body-") && b.complete(),
                            "the GET did not receive a complete body: " + b.summary());
                });
        test("store-head-from-get", "rfc9111#section-4", MAY, "A HEAD can be answered from a stored GET response",
                "RFC 9110 §9.3.2: the HEAD response is the GET response without content; a cache MAY use it.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600");
                    ctx.get();
                    Response h = ctx.send("HEAD", ctx.path(), null);
                    ctx.expectStatus(h, 200);
                    ctx.expectCount(1, "the HEAD should be answered from the stored GET response");
                });
        test("store-query-is-key", "rfc9111#section-2", MUST, "Different query strings are different cache entries",
                "§2: the cache key includes the target URI, query included; §4: the target URIs must match.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("max-age=3600").body(r.localPath()));
                    ctx.getPath(ctx.path("r?a=1"));
                    Response b = ctx.getPath(ctx.path("r?a=2"));
                    ctx.expectBody(b, "/r?a=2");
                });
        test("store-path-case-is-key", "rfc9111#section-2", MUST, "Paths differing only in case are different entries",
                "§4: the presented target URI and the stored one must match; URI paths are case-sensitive (RFC 3986 §6.2.2.1).",
                ctx -> {
                    ctx.origin(r -> Reply.ok("max-age=3600").body(r.localPath()));
                    ctx.getPath(ctx.path("Case"));
                    Response b = ctx.getPath(ctx.path("case"));
                    ctx.expectBody(b, "/case");
                });
    }
}
