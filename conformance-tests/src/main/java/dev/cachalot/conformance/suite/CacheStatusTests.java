package dev.cachalot.conformance.suite;

import static dev.cachalot.conformance.dsl.Level.MAY;
import static dev.cachalot.conformance.dsl.Level.MUST;
import static dev.cachalot.conformance.dsl.Level.SHOULD;

import dev.cachalot.conformance.client.Response;
import dev.cachalot.conformance.dsl.Ctx;
import dev.cachalot.conformance.dsl.TestBody;
import dev.cachalot.conformance.sf.StructuredFields;
import dev.cachalot.conformance.sf.StructuredFields.Member;
import java.util.List;

/**
 * RFC 9211 Cache-Status. Emitting the field is optional (§2: caches decide when to add it), so only
 * {@code cache-status-emitted} judges its presence (MAY); the syntax and semantics tests are not applicable to a
 * cache that never emits it, and judge the member the cache added (the last one) when it does.
 */
public final class CacheStatusTests extends Dsl {
    public CacheStatusTests() {
        test("cache-status-emitted", "rfc9211#section-2", MAY, "The cache adds a Cache-Status member",
                "§2: caches determine when it is appropriate to add the Cache-Status field.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600");
                    Response a = ctx.get();
                    ctx.expectPresent(a, "Cache-Status");
                });
        cs("cache-status-list-syntax-miss", MUST, "Cache-Status on a miss is a valid Structured Field List",
                "§2: the field's value is a List (RFC 8941).", ctx -> {
                    Response a = emitted(ctx, false);
                    parse(ctx, a);
                });
        cs("cache-status-list-syntax-hit", MUST, "Cache-Status on a hit is a valid Structured Field List",
                "§2: the field's value is a List (RFC 8941).", ctx -> {
                    Response b = emitted(ctx, true);
                    parse(ctx, b);
                });
        cs("cache-status-member-identifier", MUST, "Each member identifies a cache with a String or Token",
                "§2: each list member identifies the cache that inserted it; this identifier MUST be a String or Token.",
                ctx -> {
                    Response a = emitted(ctx, false);
                    for (Member m : parse(ctx, a)) {
                        ctx.check(m.value() instanceof String || m.value() instanceof StructuredFields.Token,
                                "member is not a String or Token: " + m.value());
                    }
                });
        cs("cache-status-hit-on-hit", SHOULD, "A hit carries the hit parameter",
                "§2.1: hit indicates the request was satisfied by the cache (not forwarded).",
                ctx -> {
                    Response b = emitted(ctx, true);
                    Member m = mine(ctx, b);
                    ctx.check(Boolean.TRUE.equals(m.params().get("hit")), "no hit parameter on a hit: " + b.joined("Cache-Status"));
                });
        cs("cache-status-fwd-on-miss", SHOULD, "A miss carries the fwd parameter",
                "§2.2: fwd indicates that the request went forward towards the origin, and why.",
                ctx -> {
                    Response a = emitted(ctx, false);
                    Member m = mine(ctx, a);
                    ctx.check(m.params().get("fwd") instanceof StructuredFields.Token,
                            "no fwd token on a miss: " + a.joined("Cache-Status"));
                });
        cs("cache-status-hit-fwd-exclusive", SHOULD, "hit and fwd do not appear on one member",
                "§2.1: hit and fwd are exclusive; only one of them should appear on each list member.",
                ctx -> {
                    for (Response r : new Response[] {emitted(ctx, true)}) {
                        Member m = mine(ctx, r);
                        ctx.check(!(m.params().containsKey("hit") && m.params().containsKey("fwd")),
                                "both hit and fwd: " + r.joined("Cache-Status"));
                    }
                });
        cs("cache-status-fwd-known-value", MUST, "fwd takes one of the defined tokens",
                "§2.2: fwd's value is a Token: bypass, method, uri-miss, vary-miss, miss, request, stale or partial.",
                ctx -> {
                    Response a = emitted(ctx, false);
                    Object fwd = mine(ctx, a).params().get("fwd");
                    ctx.require(fwd != null, "no fwd parameter");
                    ctx.check(fwd instanceof StructuredFields.Token && List.of("bypass", "method", "uri-miss", "vary-miss",
                            "miss", "request", "stale", "partial").contains(((StructuredFields.Token) fwd).value()),
                            "fwd is not a defined token: " + a.joined("Cache-Status"));
                });
        cs("cache-status-fwd-status-integer", MUST, "fwd-status is the origin's status code as an Integer",
                "§2.3: fwd-status's value is an Integer: the status code the next hop returned.",
                ctx -> {
                    Response a = emitted(ctx, false);
                    Object v = mine(ctx, a).params().get("fwd-status");
                    ctx.require(v != null, "no fwd-status parameter");
                    ctx.check(Long.valueOf(200).equals(v), "fwd-status should be 200, got " + v);
                });
        cs("cache-status-ttl-integer", MUST, "ttl is an Integer no larger than the freshness lifetime",
                "§2.4: ttl's value is an Integer: the remaining freshness lifetime in seconds.",
                ctx -> {
                    Response b = emitted(ctx, true);
                    Object v = mine(ctx, b).params().get("ttl");
                    ctx.require(v != null, "no ttl parameter");
                    ctx.check(v instanceof Long && (Long) v <= 3600 && (Long) v > 3500,
                            "ttl should be an Integer just below 3600, got " + v);
                });
        cs("cache-status-stored-boolean", MUST, "stored is a Boolean",
                "§2.5: stored's value is a Boolean.",
                ctx -> {
                    Response a = emitted(ctx, false);
                    Object v = mine(ctx, a).params().get("stored");
                    ctx.require(v != null, "no stored parameter");
                    ctx.check(v instanceof Boolean, "stored is not a Boolean: " + v);
                });
        cs("cache-status-collapsed-boolean", MUST, "collapsed is a Boolean",
                "§2.6: collapsed's value is a Boolean.",
                ctx -> {
                    // collapsed only appears when a request was collapsed, so judge a burst of concurrent
                    // misses of a slow response (a single miss never carries it).
                    ctx.origin(r -> dev.cachalot.conformance.origin.Reply.ok("max-age=3600").body("c").delay(800));
                    List<Response> rs = concurrently(ctx, 4);
                    Object v = null;
                    for (Response r : rs) {
                        ctx.require(r.has("Cache-Status"), "the cache does not emit Cache-Status");
                        Object c = mine(ctx, r).params().get("collapsed");
                        if (c != null) {
                            v = c;
                            ctx.check(c instanceof Boolean, "collapsed is not a Boolean: " + c);
                        }
                    }
                    ctx.require(v != null, "no collapsed parameter on any of 4 concurrent misses");
                });
        cs("cache-status-key-string", MUST, "key is a String", "§2.7: key's value is a String.",
                ctx -> {
                    Response a = emitted(ctx, false);
                    Object v = mine(ctx, a).params().get("key");
                    ctx.require(v != null, "no key parameter");
                    ctx.check(v instanceof String, "key is not a String: " + v);
                });
        cs("cache-status-detail-type", MUST, "detail is a Token or String", "§2.8: detail's value is a String or Token.",
                ctx -> {
                    // detail is extra information, most likely on a response the cache did not store.
                    ctx.serve("Cache-Control", "no-store");
                    Response a = ctx.get();
                    ctx.require(a.has("Cache-Status"), "the cache does not emit Cache-Status (judged by cache-status-emitted)");
                    Object v = mine(ctx, a).params().get("detail");
                    ctx.require(v != null, "no detail parameter");
                    ctx.check(v instanceof String || v instanceof StructuredFields.Token, "detail has the wrong type: " + v);
                });
        cs("cache-status-no-store-stored-false", SHOULD, "A no-store response is reported with stored=?0 (or no stored)",
                "§2.5: stored indicates whether the cache stored the response.",
                ctx -> {
                    ctx.serve("Cache-Control", "no-store");
                    Response a = ctx.get();
                    ctx.require(a.has("Cache-Status"), "no Cache-Status field");
                    Object v = mine(ctx, a).params().get("stored");
                    ctx.check(v == null || Boolean.FALSE.equals(v), "stored=" + v + " for a no-store response");
                });
        cs("cache-status-fwd-stale", SHOULD, "A revalidation of a stale entry reports fwd=stale",
                "§2.2: fwd=stale means the cache had a stored response but it was stale and needed validation.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=1", "ETag", "\"s\"");
                    ctx.get();
                    ctx.pause(2500);
                    Response b = ctx.get();
                    ctx.require(b.has("Cache-Status"), "no Cache-Status field");
                    ctx.require(ctx.count() == 2, "the stale entry did not cause a forward");
                    Object v = mine(ctx, b).params().get("fwd");
                    ctx.check(v instanceof StructuredFields.Token && ((StructuredFields.Token) v).value().equals("stale"),
                            "fwd should be stale, got " + b.joined("Cache-Status"));
                });
        cs("cache-status-preserves-upstream", SHOULD, "An upstream Cache-Status member is kept before the cache's own",
                "§2: when adding a value, caches SHOULD preserve the existing field value; the last member is closest to the client.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600", "Cache-Status", "OriginCache; fwd=uri-miss");
                    Response a = ctx.get();
                    ctx.require(a.has("Cache-Status"), "no Cache-Status field");
                    List<Member> ms = parse(ctx, a);
                    ctx.require(!"OriginCache".equals(ms.get(ms.size() - 1).token()),
                            "the cache added no Cache-Status member of its own");
                    ctx.check(ms.size() >= 2 && "OriginCache".equals(ms.get(0).token()),
                            "the upstream member was not kept first: " + a.joined("Cache-Status"));
                });
    }

    private void cs(String id, dev.cachalot.conformance.dsl.Level level, String title, String why, TestBody body) {
        String section = id.contains("hit") ? "2.1" : id.contains("fwd-status") ? "2.3" : id.contains("fwd") ? "2.2"
                : id.contains("ttl") ? "2.4" : id.contains("stored") ? "2.5" : id.contains("collapsed") ? "2.6"
                : id.contains("key") ? "2.7" : id.contains("detail") ? "2.8" : "2";
        test(id, "rfc9211#section-" + section, level, title, why, body);
    }

    /** Fetches a max-age response (twice for a hit) and returns the response to judge; inconclusive when absent. */
    private static Response emitted(Ctx ctx, boolean hit) throws Exception {
        ctx.serve("Cache-Control", "max-age=3600");
        Response a = ctx.get();
        ctx.require(a.has("Cache-Status"), "the cache does not emit Cache-Status (judged by cache-status-emitted)");
        if (!hit) {
            return a;
        }
        Response b = ctx.get();
        ctx.requireCount(1, "the response was not reused");
        return b;
    }

    private static List<Member> parse(Ctx ctx, Response r) {
        try {
            List<Member> ms = StructuredFields.parseList(r.joined("Cache-Status"));
            ctx.check(!ms.isEmpty(), "empty Cache-Status list");
            return ms;
        } catch (IllegalArgumentException e) {
            throw new dev.cachalot.conformance.dsl.CheckFailed("Cache-Status is not a valid List: " + e.getMessage());
        }
    }

    /** The member this cache added: the last one (closest to the client). */
    /** {@code n} simultaneous GETs of the test's path. */
    private static List<Response> concurrently(Ctx ctx, int n) throws Exception {
        java.util.concurrent.ExecutorService ex = java.util.concurrent.Executors.newFixedThreadPool(n);
        try {
            List<java.util.concurrent.Future<Response>> fs = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                fs.add(ex.submit(() -> ctx.get()));
            }
            List<Response> out = new java.util.ArrayList<>();
            for (java.util.concurrent.Future<Response> f : fs) {
                out.add(f.get());
            }
            return out;
        } finally {
            ex.shutdownNow();
        }
    }

    private static Member mine(Ctx ctx, Response r) {
        List<Member> ms = parse(ctx, r);
        return ms.get(ms.size() - 1);
    }
}
