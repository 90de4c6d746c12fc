package dev.cachalot.conformance.suite;

import static dev.cachalot.conformance.dsl.Level.INFO;
import static dev.cachalot.conformance.dsl.Level.MUST;

import dev.cachalot.conformance.client.Response;
import dev.cachalot.conformance.origin.Reply;

/**
 * Cache poisoning: a request-specific response (reflecting an unkeyed header, or an error caused by a malformed
 * header) must not be served to other clients. Judged by RFC 9111 §4 (key match), §4.1 (Vary) and §3/§4.2.2
 * (what is storable without explicit freshness).
 */
public final class PoisoningTests extends Dsl {
    public PoisoningTests() {
        for (String h : new String[] {"X-Forwarded-Host", "X-Forwarded-Proto", "X-Original-URL", "X-Forwarded-Prefix"}) {
            String id = "poison-vary-" + h.toLowerCase(java.util.Locale.ROOT).replace("x-", "x").replace("-", "");
            test(id, "rfc9111#section-4.1", MUST, "A response reflecting " + h + " and varying on it is not served to others",
                    "§4.1: the cache MUST NOT use a stored response unless the fields nominated by Vary match.",
                    ctx -> {
                        ctx.origin(r -> Reply.ok("max-age=3600").header("Vary", h)
                                .body(String.join(",", r.headers(h)).contains("evil.example") ? "link=evil.example" : "link=self"));
                        ctx.get(h, "evil.example");
                        Response b = ctx.get();
                        ctx.expectBody(b, "link=self");
                    });
        }
        for (int status : new int[] {400, 413, 431, 500}) {
            test("poison-error-" + status, "rfc9111#section-4.2.2", MUST,
                    "A " + status + " caused by one malformed request is not served to the next",
                    "§3 and §4.2.2: a " + status + " without explicit freshness is not heuristically cacheable (CPDoS).",
                    ctx -> {
                        ctx.origin(r -> r.has("X-Oversized") ? Reply.status(status).body("error")
                                : Reply.ok("max-age=3600").body("good"));
                        ctx.get("X-Oversized", "x".repeat(100));
                        Response b = ctx.get();
                        ctx.expectStatus(b, 200);
                        ctx.expectBody(b, "good");
                    });
        }
        test("poison-method-override", "rfc9111#section-4.2.2", MUST,
                "An error triggered by X-HTTP-Method-Override is not served to plain GETs",
                "§4.2.2: a 500 without explicit freshness is not reused (CPDoS by method override).",
                ctx -> {
                    ctx.origin(r -> r.has("X-HTTP-Method-Override") ? Reply.status(500).body("error")
                            : Reply.ok("max-age=3600").body("good"));
                    ctx.get("X-HTTP-Method-Override", "DELETE");
                    Response b = ctx.get();
                    ctx.expectBody(b, "good");
                });
        test("poison-host-header", "rfc9111#section-4", MUST,
                "A response fetched for another Host is not served for this one",
                "§4: the presented target URI (built from Host, RFC 9112 §3.3) must match the stored one.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("max-age=3600").body("#" + r.sequence()));
                    Response a = ctx.get("Host", "evil.example");
                    int afterEvil = ctx.count();
                    ctx.require(afterEvil == 1 && "evil.example".equals(ctx.lastReceived().header("Host")),
                            "the cache did not forward Host: evil.example to the origin, so its response cannot depend on it");
                    Response b = ctx.get();
                    ctx.require(b.status() == 200, "the normal request failed: " + b.summary());
                    ctx.check(!(afterEvil == 1 && a.status() == 200 && b.text().equals("#1")),
                            "the response fetched for Host: evil.example was served for Host: " + ctx.cacheAuthority());
                });
        test("poison-fat-get", "rfc9110#section-9.3.1", INFO, "A GET body does not change what other clients receive",
                "RFC 9110 §9.3.1: content in a GET has no defined semantics; an origin reflecting it can poison a cache.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("max-age=3600").body(r.body().length > 0 ? "from-body" : "normal"));
                    ctx.send("GET", ctx.path(), "callback=evil");
                    Response b = ctx.get();
                    ctx.check(!b.text().equals("from-body"), "a GET body poisoned the shared entry");
                });
        test("poison-private-cookie", "rfc9111#section-5.2.2.7", MUST,
                "A personalised private response is not served to another client",
                "§5.2.2.7: a shared cache MUST NOT store a private response.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("private, max-age=3600").body("hello " + r.header("Cookie")));
                    ctx.get("Cookie", "user=alice");
                    Response b = ctx.get("Cookie", "user=bob");
                    ctx.expectBody(b, "hello user=bob");
                });
        test("poison-set-cookie-no-cache", "rfc9111#section-5.2.2.4", MUST,
                "no-cache=\"Set-Cookie\": one client's cookie is not handed to another",
                "§5.2.2.4: the listed field MUST NOT be sent in a response to a later request without revalidation.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("max-age=3600, no-cache=\"Set-Cookie\"").header("Set-Cookie", "session=alice")
                            .body("page"));
                    ctx.get();
                    Response b = ctx.get();
                    ctx.check(!"session=alice".equals(b.header("Set-Cookie")) || ctx.count() == 2,
                            "alice's Set-Cookie was served from cache to another request");
                });
    }
}
