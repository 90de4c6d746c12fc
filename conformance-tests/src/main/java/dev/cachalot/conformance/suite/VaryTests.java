package dev.cachalot.conformance.suite;

import static dev.cachalot.conformance.dsl.Level.MAY;
import static dev.cachalot.conformance.dsl.Level.MUST;

import dev.cachalot.conformance.client.Response;
import dev.cachalot.conformance.dsl.Ctx;
import dev.cachalot.conformance.dsl.Level;
import dev.cachalot.conformance.origin.Reply;

/** RFC 9111 §4.1: secondary keys (Vary) — matching, normalisation and several variants of one URI. */
public final class VaryTests extends Dsl {
    public VaryTests() {
        vary("vary-match-reused", MAY, "A request with the same Vary-nominated value is served from cache",
                "§4.1: a stored response can be used when the nominated request fields match.",
                "Accept-Language", new String[] {"Accept-Language", "en"}, new String[] {"Accept-Language", "en"}, true);
        vary("vary-mismatch", MUST, "A request with a different Vary-nominated value is not served the stored variant",
                "§4.1: the cache MUST NOT use a stored response unless all nominated fields match.",
                "Accept-Language", new String[] {"Accept-Language", "en"}, new String[] {"Accept-Language", "fr"}, false);
        vary("vary-absent-then-present", MUST, "A variant stored without the field does not match a request with it",
                "§4.1: a field absent from one request only matches if it is absent from the other as well.",
                "Accept-Language", new String[] {}, new String[] {"Accept-Language", "en"}, false);
        vary("vary-present-then-absent", MUST, "A variant stored with the field does not match a request without it",
                "§4.1: a field absent from one request only matches if it is absent from the other as well.",
                "Accept-Language", new String[] {"Accept-Language", "en"}, new String[] {}, false);
        vary("vary-both-absent", MAY, "A variant stored without the nominated field matches another request without it",
                "§4.1: two absent fields match.", "X-Variant", new String[] {}, new String[] {}, true);
        vary("vary-empty-vs-absent", MUST, "An empty field value does not match an absent field",
                "§4.1: an absent field only matches an absent field.",
                "X-Variant", new String[] {"X-Variant", ""}, new String[] {}, false);
        vary("vary-star", MUST, "Vary: * never matches",
                "§4.1: a Vary value containing \"*\" always fails to match.",
                "*", new String[] {}, new String[] {}, false);
        vary("vary-star-in-list", MUST, "Vary: Accept, * never matches",
                "§4.1: a Vary value containing the member \"*\" always fails to match.",
                "Accept, *", new String[] {"Accept", "a/b"}, new String[] {"Accept", "a/b"}, false);
        vary("vary-two-fields-one-differs", MUST, "With Vary on two fields, a difference in the second is a mismatch",
                "§4.1: all nominated fields must match.", "Accept-Language, X-Variant",
                new String[] {"Accept-Language", "en", "X-Variant", "1"}, new String[] {"Accept-Language", "en", "X-Variant", "2"},
                false);
        vary("vary-two-fields-match", MAY, "With Vary on two fields, equal values match",
                "§4.1: the stored response can be used when all nominated fields match.", "Accept-Language, X-Variant",
                new String[] {"Accept-Language", "en", "X-Variant", "1"}, new String[] {"X-Variant", "1", "Accept-Language", "en"},
                true);
        vary("vary-field-name-case", MAY, "Vary field names match case-insensitively",
                "§4.1 and RFC 9110 §5.1: field names are case-insensitive.", "x-VARIANT",
                new String[] {"X-Variant", "1"}, new String[] {"x-variant", "1"}, true);
        vary("vary-whitespace-normalised", MAY, "Values differing only in list whitespace may match",
                "§4.1: a cache MAY normalize by combining field lines and removing whitespace per the field's syntax.",
                "Accept-Language", new String[] {"Accept-Language", "en, fr"}, new String[] {"Accept-Language", "en,fr"}, true);
        vary("vary-value-case-differs", MUST, "Values differing in case are different variants of an unknown field",
                "§4.1: values match only when equal or semantically equivalent; X-Variant's syntax is unknown.",
                "X-Variant", new String[] {"X-Variant", "abc"}, new String[] {"X-Variant", "ABC"}, false);
        test("vary-accept-encoding", "rfc9111#section-4.1", MUST,
                "A gzip-coded variant is not served gzip-coded to a client that accepts only identity",
                "§4.1: the gzip variant does not match Accept-Encoding: identity (a cache may still decode it itself).",
                ctx -> {
                    ctx.origin(r -> {
                        String ae = String.valueOf(r.header("Accept-Encoding"));
                        Reply rep = Reply.ok("max-age=3600").header("Vary", "Accept-Encoding")
                                .header("Content-Type", "text/plain");
                        return ae.contains("gzip") ? rep.header("Content-Encoding", "gzip").body(gzip("gzip-variant"))
                                : rep.body("identity-variant");
                    });
                    Response a = ctx.get("Accept-Encoding", "gzip");
                    ctx.require(a.status() == 200, "first request failed: " + Ctx.describe(a));
                    Response b = ctx.get("Accept-Encoding", "identity");
                    String ce = b.joined("Content-Encoding");
                    ctx.check(ce == null || !ce.toLowerCase(java.util.Locale.ROOT).contains("gzip"),
                            "a client accepting only identity received Content-Encoding: " + ce);
                    ctx.check(b.text().equals("identity-variant") || b.text().equals("gzip-variant"),
                            "unexpected content: " + Ctx.describe(b));
                });
        vary("vary-cookie", MUST, "Vary: Cookie separates responses for different cookies",
                "§4.1: the cache MUST NOT use a stored response unless nominated fields match.",
                "Cookie", new String[] {"Cookie", "user=alice"}, new String[] {"Cookie", "user=bob"}, false);
        test("vary-two-lines", "rfc9111#section-4.1", MUST, "Vary split over two field lines nominates both fields",
                "RFC 9110 §5.3: field lines combine; §4.1: every nominated field must match.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("max-age=3600").header("Vary", "Accept-Language").header("Vary", "X-Variant")
                            .body("#" + r.sequence()));
                    ctx.get("Accept-Language", "en", "X-Variant", "1");
                    Response b = ctx.get("Accept-Language", "en", "X-Variant", "2");
                    ctx.expectCount(2, "the variant for X-Variant: 1 was used for X-Variant: 2");
                    ctx.expectBody(b, "#2");
                });
        test("vary-multiple-variants", "rfc9111#section-4.1", MAY, "Two variants of one URI are stored side by side",
                "§4.1: when more than one stored response matches the URI, the cache uses the one whose fields match.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("max-age=3600").header("Vary", "Accept-Language")
                            .body(r.header("Accept-Language") + "#" + r.sequence()));
                    ctx.get("Accept-Language", "en");
                    ctx.get("Accept-Language", "fr");
                    Response en = ctx.get("Accept-Language", "en");
                    Response fr = ctx.get("Accept-Language", "fr");
                    ctx.expectCount(2, "both variants should be reused");
                    ctx.expectBody(en, "en#1");
                    ctx.expectBody(fr, "fr#2");
                });
        test("vary-variants-correct-body", "rfc9111#section-4.1", MUST, "Each variant is answered with its own body",
                "§4.1: the selected stored response must match the presented request's nominated fields.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("max-age=3600").header("Vary", "Accept-Language")
                            .body(String.valueOf(r.header("Accept-Language"))));
                    ctx.get("Accept-Language", "en");
                    ctx.get("Accept-Language", "fr");
                    ctx.get("Accept-Language", "de");
                    for (String l : new String[] {"fr", "en", "de"}) {
                        ctx.expectBody(ctx.get("Accept-Language", l), l);
                    }
                });
        test("vary-changes-between-responses", "rfc9111#section-4.1", MUST,
                "A new Vary on a refreshed response is honoured",
                "§4.1: the Vary of the stored response selected for use decides the match.",
                ctx -> {
                    ctx.origin(r -> r.sequence() == 1 ? Reply.ok("max-age=1").body("#1")
                            : Reply.ok("max-age=3600").header("Vary", "X-Variant").body("#" + r.sequence()));
                    ctx.get("X-Variant", "a");
                    ctx.pause(2500);
                    ctx.get("X-Variant", "a");
                    Response c = ctx.get("X-Variant", "b");
                    ctx.check(!c.text().equals("#2"), "the X-Variant: a response was used for X-Variant: b");
                });
    }

    private static byte[] gzip(String text) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(out)) {
            z.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private void vary(String id, Level level, String title, String why, String vary, String[] first, String[] second,
                      boolean expectReuse) {
        test(id, "rfc9111#section-4.1", level, title, why, ctx -> {
            ctx.serve("Cache-Control", "max-age=3600", "Vary", vary);
            Response a = ctx.get(first);
            ctx.require(a.status() == 200, "first request failed: " + Ctx.describe(a));
            Response b = ctx.get(second);
            if (expectReuse) {
                ctx.expectCount(1, "the matching variant should be reused");
                ctx.expectBody(b, "#1");
            } else {
                ctx.expectCount(2, "the stored variant must not be used for a request that does not match it");
                ctx.expectBody(b, "#2");
            }
        });
    }
}
