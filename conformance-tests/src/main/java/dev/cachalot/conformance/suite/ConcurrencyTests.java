package dev.cachalot.conformance.suite;

import static dev.cachalot.conformance.dsl.Level.INFO;
import static dev.cachalot.conformance.dsl.Level.MUST;

import dev.cachalot.conformance.client.Response;
import dev.cachalot.conformance.dsl.Ctx;
import dev.cachalot.conformance.origin.Reply;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Request collapsing and large objects. RFC 9111 does not require collapsing nor streaming (informational), but
 * a cache that collapses must not hand one client's private or varying response to another (MUST), and every
 * client must receive the complete object.
 */
public final class ConcurrencyTests extends Dsl {
    private static final int N = 6;

    public ConcurrencyTests() {
        test("collapse-concurrent-misses", "rfc9111#section-4", INFO,
                "Concurrent misses for one cacheable URI cause a single origin request",
                "Collapsed forwarding is not required by RFC 9111 but spares the origin (RFC 9211 §2.6 reports it).",
                ctx -> {
                    ctx.origin(r -> Reply.ok("max-age=3600").body("#" + r.sequence()).delay(1000));
                    List<Response> rs = concurrently(ctx, N, i -> new String[0]);
                    for (Response r : rs) {
                        ctx.expectStatus(r, 200);
                    }
                    ctx.expectCount(1, N + " concurrent misses were not collapsed");
                });
        test("collapse-private-not-shared", "rfc9111#section-5.2.2.7", MUST,
                "Concurrent requests never share a private response",
                "§5.2.2.7: a shared cache MUST NOT store (hence not share) a private response, even among waiters.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("private").body("#" + r.sequence()).delay(800));
                    List<Response> rs = concurrently(ctx, N, i -> new String[0]);
                    distinct(ctx, rs, "private");
                });
        test("collapse-no-store-not-shared", "rfc9111#section-5.2.2.5", MUST,
                "Concurrent requests never share a no-store response",
                "§5.2.2.5: a no-store response MUST NOT be stored, so each waiting request needs its own.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("no-store").body("#" + r.sequence()).delay(800));
                    List<Response> rs = concurrently(ctx, N, i -> new String[0]);
                    distinct(ctx, rs, "no-store");
                });
        test("collapse-authorization-not-shared", "rfc9111#section-3.5", MUST,
                "Concurrent authenticated requests never share a response",
                "§3.5: a response to a request with Authorization MUST NOT be reused for other requests.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("max-age=3600").body("for " + r.header("Authorization")).delay(800));
                    List<Response> rs = concurrently(ctx, N, i -> new String[] {"Authorization", "Bearer user" + i});
                    ctx.require(ctx.received().stream().anyMatch(r -> r.has("Authorization")),
                            "the cache does not forward Authorization to the origin");
                    for (int i = 0; i < rs.size(); i++) {
                        ctx.expectBody(rs.get(i), "for Bearer user" + i);
                    }
                });
        test("collapse-vary-respected", "rfc9111#section-4.1", MUST,
                "Concurrent requests with different Vary values each get their own variant",
                "§4.1: a stored (or in-flight) response is used only for requests whose nominated fields match.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("max-age=3600").header("Vary", "X-Variant")
                            .body("v=" + r.header("X-Variant")).delay(800));
                    List<Response> rs = concurrently(ctx, N, i -> new String[] {"X-Variant", String.valueOf(i)});
                    for (int i = 0; i < rs.size(); i++) {
                        ctx.expectBody(rs.get(i), "v=" + i);
                    }
                });
        test("collapse-waiters-complete-body", "rfc9110#section-6.4", MUST,
                "Concurrent clients of a slowly streamed object all get it complete",
                "RFC 9110 §6.4: the content delivered is the complete representation; truncation is an error.",
                ctx -> {
                    byte[] body = random(300_000, 1);
                    ctx.origin(r -> Reply.ok("max-age=3600").body(body).slow(30_000, 100));
                    List<Response> rs = concurrently(ctx, N, i -> new String[0]);
                    for (Response r : rs) {
                        ctx.check(r.complete() && Arrays.equals(r.body(), body),
                                "a client received " + r.body().length + " bytes" + (r.complete() ? "" : " (incomplete)")
                                        + " instead of the 300000-byte object");
                    }
                });
        test("stream-first-byte-before-end", "rfc9111#section-3", INFO,
                "A large slow miss is streamed to the client while it is fetched",
                "Streaming is not required by RFC 9111; buffering a whole object delays the client.",
                ctx -> {
                    byte[] body = random(1_000_000, 2);
                    ctx.origin(r -> Reply.ok("max-age=3600").body(body).slow(100_000, 200));
                    Response a = ctx.get();
                    ctx.check(a.complete() && Arrays.equals(a.body(), body), "the object arrived damaged");
                    ctx.check(a.firstByteMillis() < 1000, "the first byte arrived after " + a.firstByteMillis()
                            + " ms of a ~1.8 s transfer (the cache buffered the object)");
                });
        test("stream-large-object-intact", "rfc9110#section-6.4", MUST, "A 4 MiB object arrives intact, miss and hit",
                "RFC 9110 §6.4: the delivered content is the representation, byte for byte.",
                ctx -> {
                    byte[] body = random(4 << 20, 3);
                    ctx.origin(r -> Reply.ok("max-age=3600").body(body));
                    Response a = ctx.get();
                    ctx.check(Arrays.equals(a.body(), body), "the miss delivered " + a.body().length + " damaged bytes");
                    Response b = ctx.get();
                    ctx.check(Arrays.equals(b.body(), body), "the second response delivered " + b.body().length
                            + " damaged bytes");
                });
        test("stream-large-chunked-intact", "rfc9112#section-7.1", MUST, "A 2 MiB chunked object arrives intact",
                "RFC 9112 §7.1: chunked coding delivers the content unchanged.",
                ctx -> {
                    byte[] body = random(2 << 20, 4);
                    ctx.origin(r -> Reply.ok("max-age=3600").body(body).chunked().slow(65536, 0));
                    Response a = ctx.get();
                    ctx.check(Arrays.equals(a.body(), body), "the object arrived damaged (" + a.body().length + " bytes)");
                    Response b = ctx.get();
                    ctx.check(Arrays.equals(b.body(), body), "the second response arrived damaged");
                });
        test("stream-large-object-cached", "rfc9111#section-3", INFO, "A 4 MiB object is cached",
                "Storing large objects is a cache's choice; this records whether it does by default.",
                ctx -> {
                    byte[] body = random(4 << 20, 5);
                    ctx.origin(r -> Reply.ok("max-age=3600").body(body));
                    ctx.get();
                    ctx.get();
                    ctx.expectCount(1, "the 4 MiB object was not reused");
                });
        test("stream-reader-joins-in-flight", "rfc9111#section-4", INFO,
                "A client arriving during a slow fetch is served from the same fetch",
                "Not required by RFC 9111; avoids a second origin fetch of a large object.",
                ctx -> {
                    byte[] body = random(600_000, 6);
                    ctx.origin(r -> Reply.ok("max-age=3600").body(body).slow(60_000, 150));
                    ExecutorService ex = Executors.newFixedThreadPool(2);
                    try {
                        Future<Response> first = ex.submit(() -> ctx.get());
                        Thread.sleep(400);
                        Future<Response> second = ex.submit(() -> ctx.get());
                        ctx.check(Arrays.equals(first.get().body(), body), "the first client got a damaged object");
                        ctx.check(Arrays.equals(second.get().body(), body), "the second client got a damaged object");
                    } finally {
                        ex.shutdownNow();
                    }
                    ctx.expectCount(1, "the second client caused another origin fetch");
                });
    }

    private interface Headers {
        String[] of(int i);
    }

    private static List<Response> concurrently(Ctx ctx, int n, Headers headers) throws Exception {
        ExecutorService ex = Executors.newFixedThreadPool(n);
        try {
            List<Future<Response>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String[] h = headers.of(i);
                fs.add(ex.submit(() -> ctx.get(h)));
            }
            List<Response> out = new ArrayList<>();
            for (Future<Response> f : fs) {
                out.add(f.get());
            }
            return out;
        } finally {
            ex.shutdownNow();
        }
    }

    private static void distinct(Ctx ctx, List<Response> rs, String what) {
        Set<String> bodies = new HashSet<>();
        for (Response r : rs) {
            ctx.expectStatus(r, 200);
            bodies.add(r.text());
        }
        ctx.check(bodies.size() == rs.size(), rs.size() + " concurrent requests received only " + bodies.size()
                + " distinct " + what + " responses: " + bodies);
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }
}
