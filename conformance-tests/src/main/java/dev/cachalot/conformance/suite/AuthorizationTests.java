package dev.cachalot.conformance.suite;

import static dev.cachalot.conformance.dsl.Level.MAY;
import static dev.cachalot.conformance.dsl.Level.MUST;

import dev.cachalot.conformance.client.Response;

/** RFC 9111 §3.5: responses to requests with Authorization in a shared cache. */
public final class AuthorizationTests extends Dsl {
    public AuthorizationTests() {
        test("auth-not-shared", "rfc9111#section-3.5", MUST,
                "A response to an authenticated request is not served to an anonymous one",
                "§3.5: a shared cache MUST NOT use it for other requests unless a directive explicitly allows it.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600");
                    ctx.get("Authorization", "Basic YWxpY2U6c2VjcmV0");
                    Response b = ctx.get();
                    ctx.expectCount(2, "the anonymous request must reach the origin");
                    ctx.expectBody(b, "#2");
                });
        test("auth-not-shared-other-user", "rfc9111#section-3.5", MUST,
                "A response to one user's credentials is not served to another user",
                "§3.5: a shared cache MUST NOT reuse it without public, s-maxage or must-revalidate.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600");
                    ctx.get("Authorization", "Basic YWxpY2U6c2VjcmV0");
                    Response b = ctx.get("Authorization", "Basic Ym9iOmh1bnRlcjI=");
                    ctx.expectCount(2, "bob's request must reach the origin");
                    ctx.expectBody(b, "#2");
                });
        test("auth-not-shared-same-user", "rfc9111#section-3.5", MUST,
                "Even the same credentials do not make a max-age-only response reusable",
                "§3.5: without public, s-maxage or must-revalidate the response MUST NOT be stored for reuse.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600");
                    ctx.get("Authorization", "Bearer token-a");
                    ctx.get("Authorization", "Bearer token-a");
                    ctx.expectCount(2, "the second authenticated request must reach the origin");
                });
        test("auth-no-cc-not-shared", "rfc9111#section-3.5", MUST,
                "An authenticated response with only Expires is not shared",
                "§3.5: Expires does not allow a shared cache to reuse an authenticated response.",
                ctx -> {
                    ctx.serve("Expires", httpDate(3600));
                    ctx.get("Authorization", "Basic YWxpY2U6c2VjcmV0");
                    ctx.get();
                    ctx.expectCount(2, "the anonymous request must reach the origin");
                });
        test("auth-public-shared", "rfc9111#section-3.5", MAY, "public allows sharing an authenticated response",
                "§3.5 and §5.2.2.9: public explicitly allows a shared cache to reuse it.",
                ctx -> {
                    ctx.serve("Cache-Control", "public, max-age=3600");
                    ctx.get("Authorization", "Basic YWxpY2U6c2VjcmV0");
                    ctx.get("Authorization", "Basic YWxpY2U6c2VjcmV0");
                    ctx.expectCount(1, "the public response was not reused");
                });
        test("auth-s-maxage-shared", "rfc9111#section-3.5", MAY, "s-maxage allows sharing an authenticated response",
                "§3.5 and §5.2.2.10: s-maxage explicitly allows a shared cache to reuse it.",
                ctx -> {
                    ctx.serve("Cache-Control", "s-maxage=3600");
                    ctx.get("Authorization", "Basic YWxpY2U6c2VjcmV0");
                    ctx.get("Authorization", "Basic YWxpY2U6c2VjcmV0");
                    ctx.expectCount(1, "the s-maxage response was not reused");
                });
        test("auth-must-revalidate-shared", "rfc9111#section-3.5", MAY,
                "must-revalidate allows sharing an authenticated response",
                "§3.5 and §5.2.2.2: must-revalidate explicitly allows a shared cache to reuse it while fresh.",
                ctx -> {
                    ctx.serve("Cache-Control", "must-revalidate, max-age=3600");
                    ctx.get("Authorization", "Basic YWxpY2U6c2VjcmV0");
                    ctx.get("Authorization", "Basic YWxpY2U6c2VjcmV0");
                    ctx.expectCount(1, "the must-revalidate response was not reused");
                });
        test("auth-public-private-wins", "rfc9111#section-5.2.2.7", MUST,
                "private wins over public for an authenticated response",
                "§4.2.1: the most restrictive directive should be honoured; §5.2.2.7 private MUST NOT be stored.",
                ctx -> {
                    ctx.serve("Cache-Control", "public, private, max-age=3600");
                    ctx.get("Authorization", "Basic YWxpY2U6c2VjcmV0");
                    ctx.get();
                    ctx.expectCount(2, "the private response was shared");
                });
    }
}
