package dev.cachalot.conformance.suite;

import static dev.cachalot.conformance.dsl.Level.MAY;
import static dev.cachalot.conformance.dsl.Level.MUST;
import static dev.cachalot.conformance.dsl.Level.SHOULD;

import dev.cachalot.conformance.client.Response;
import dev.cachalot.conformance.dsl.Ctx;
import dev.cachalot.conformance.origin.RecordedRequest;
import dev.cachalot.conformance.origin.Reply;
import java.util.function.Function;

/** RFC 9111 §4.3: validation — conditional requests sent, 304 handling and header updates, client conditionals. */
public final class ValidationTests extends Dsl {
    private static final String LM = httpDate(-86400L * 30);

    public ValidationTests() {
        test("validate-sends-if-none-match", "rfc9111#section-4.3.1", MUST,
                "Revalidating a response with an ETag sends If-None-Match with it",
                "§4.3.1: a cache generating a conditional request MUST send the relevant entity tags.",
                ctx -> {
                    stale(ctx, "\"abc\"", null);
                    RecordedRequest v = ctx.lastReceived();
                    ctx.require(v.has("If-None-Match") || v.has("If-Modified-Since"),
                            "the cache refetched without a conditional request");
                    ctx.check("\"abc\"".equals(v.header("If-None-Match")),
                            "If-None-Match should be \"abc\", got " + v.header("If-None-Match"));
                });
        test("validate-sends-weak-etag", "rfc9111#section-4.3.1", MUST, "A weak ETag is sent back in If-None-Match",
                "§4.3.1: entity tags MUST be sent; If-None-Match uses weak comparison (RFC 9110 §13.1.2).",
                ctx -> {
                    stale(ctx, "W/\"weak\"", null);
                    RecordedRequest v = ctx.lastReceived();
                    ctx.require(v.has("If-None-Match") || v.has("If-Modified-Since"),
                            "the cache refetched without a conditional request");
                    ctx.check("W/\"weak\"".equals(v.header("If-None-Match")),
                            "If-None-Match should be W/\"weak\", got " + v.header("If-None-Match"));
                });
        test("validate-sends-if-modified-since", "rfc9111#section-4.3.1", SHOULD,
                "Revalidating a response with Last-Modified sends If-Modified-Since",
                "§4.3.1: a cache SHOULD send the Last-Modified value in If-Modified-Since.",
                ctx -> {
                    stale(ctx, null, LM);
                    RecordedRequest v = ctx.lastReceived();
                    ctx.check(LM.equals(v.header("If-Modified-Since")),
                            "If-Modified-Since should be " + LM + ", got " + v.header("If-Modified-Since"));
                });
        test("validate-both-validators", "rfc9111#section-4.3.1", MUST,
                "With ETag and Last-Modified, the ETag is sent",
                "§4.3.1: entity tags MUST be sent when present.",
                ctx -> {
                    stale(ctx, "\"both\"", LM);
                    RecordedRequest v = ctx.lastReceived();
                    ctx.require(v.has("If-None-Match") || v.has("If-Modified-Since"),
                            "the cache refetched without a conditional request");
                    ctx.check("\"both\"".equals(v.header("If-None-Match")), "If-None-Match missing: " + v.summary());
                });
        test("validate-no-cache-response-conditional", "rfc9111#section-5.2.2.4", MAY,
                "A no-cache response is revalidated with a conditional request",
                "§5.2.2.4 and §4.3.1: validation avoids refetching the content.",
                ctx -> {
                    ctx.origin(r -> r.has("If-None-Match") ? Reply.status(304).header("ETag", "\"nc\"")
                            : Reply.ok("no-cache").header("ETag", "\"nc\"").body("#" + r.sequence()));
                    ctx.get();
                    Response b = ctx.get();
                    ctx.expectCount(2, "the no-cache response was reused without contacting the origin");
                    ctx.check(ctx.lastReceived().has("If-None-Match"), "the revalidation was not conditional");
                    ctx.expectBody(b, "#1");
                });
        test("validate-304-serves-stored", "rfc9111#section-4.3.3", MUST,
                "After a 304, the client receives the stored response with status 200",
                "§4.3.3: on 304 the cache MUST use the stored response (updated) to satisfy the request.",
                ctx -> {
                    Response b = stale304(ctx, r -> Reply.status(304).header("ETag", "\"v\""));
                    ctx.expectStatus(b, 200);
                    ctx.expectBody(b, "#1");
                });
        test("validate-304-lm-serves-stored", "rfc9111#section-4.3.3", MUST,
                "After a 304 to If-Modified-Since, the stored body is served",
                "§4.3.3: on 304 the cache MUST use the stored response to satisfy the request.",
                ctx -> {
                    ctx.origin(r -> r.has("If-Modified-Since") || r.has("If-None-Match")
                            ? Reply.status(304) : Reply.ok("max-age=1").header("Last-Modified", LM).body("#" + r.sequence()));
                    ctx.get();
                    ctx.pause(2500);
                    Response b = ctx.get();
                    ctx.awaitCount(2, 1500);
                    ctx.require(ctx.count() == 2 && ctx.lastReceived().has("If-Modified-Since"),
                            "the cache did not revalidate with If-Modified-Since");
                    ctx.expectStatus(b, 200);
                    ctx.expectBody(b, "#1");
                });
        test("validate-304-updates-header", "rfc9111#section-3.2", MUST,
                "Header fields in a 304 replace the stored ones",
                "§3.2 and §4.3.4: the cache MUST use the 304's header fields to update the stored response.",
                ctx -> {
                    Response b = stale304(ctx, r -> Reply.status(304).header("ETag", "\"v\"").header("X-Version", "2"));
                    ctx.expectHeader(b, "X-Version", "2");
                });
        test("validate-304-adds-header", "rfc9111#section-3.2", MUST, "A new header field in a 304 is added",
                "§3.2: the cache MUST add each header field in the 304 to the stored response.",
                ctx -> {
                    Response b = stale304(ctx, r -> Reply.status(304).header("ETag", "\"v\"").header("X-New", "yes"));
                    ctx.expectHeader(b, "X-New", "yes");
                });
        test("validate-304-updates-freshness", "rfc9111#section-4.3.4", MUST,
                "A 304 carrying max-age=3600 makes the entry fresh again",
                "§4.3.4: the stored response is updated with the 304's Cache-Control, so it is fresh for an hour.",
                ctx -> {
                    stale304(ctx, r -> Reply.status(304).header("ETag", "\"v\"").header("Cache-Control", "max-age=3600"));
                    Response c = ctx.get();
                    ctx.expectCount(2, "the refreshed entry was not reused");
                    ctx.expectBody(c, "#1");
                });
        test("validate-304-keeps-content-length", "rfc9111#section-3.2", MUST,
                "A 304 with Content-Length: 0 does not truncate the stored body",
                "§3.2: fields describing the stored content that the 304 does not change must not corrupt it.",
                ctx -> {
                    ctx.origin(r -> r.has("If-None-Match")
                            ? Reply.raw("HTTP/1.1 304 Not Modified\r\nDate: " + httpDate(0)
                                    + "\r\nETag: \"v\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                            : Reply.ok("max-age=1").header("ETag", "\"v\"").body("stored body"));
                    ctx.get();
                    ctx.pause(2500);
                    Response b = ctx.get();
                    ctx.awaitCount(2, 1500);
                    ctx.require(ctx.count() == 2 && ctx.lastReceived().has("If-None-Match"),
                            "the cache did not revalidate with If-None-Match");
                    ctx.expectBody(b, "stored body");
                });
        test("validate-200-replaces", "rfc9111#section-4.3.3", MUST,
                "A full 200 to a revalidation replaces the stored response",
                "§4.3.3: a full response is used to satisfy the request and MAY replace the stored one.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("max-age=1").header("ETag", "\"v" + r.sequence() + "\"").body("#" + r.sequence()));
                    ctx.get();
                    ctx.pause(2500);
                    Response b = ctx.get();
                    ctx.expectBody(b, "#2");
                });
        test("validate-5xx-forwarded", "rfc9111#section-4.3.3", MAY,
                "A 500 to a revalidation is forwarded or the stale response served",
                "§4.3.3: on a 5xx the cache can forward it or act as if the server failed to respond.",
                ctx -> {
                    ctx.origin(r -> r.sequence() == 1 ? Reply.ok("max-age=1").header("ETag", "\"v\"").body("#1")
                            : Reply.status(500).body("error"));
                    ctx.get();
                    ctx.pause(2500);
                    Response b = ctx.get();
                    ctx.check(b.status() == 500 || (b.status() == 200 && b.text().equals("#1")),
                            "expected the 500 or the stored response, got " + b.summary());
                });

        // Client conditionals answered by the cache (RFC 9110 §13.2.1 evaluates them at the cache).
        test("client-inm-match-304", "rfc9110#section-13.1.2", SHOULD,
                "A client If-None-Match matching a fresh entry gets 304 from the cache",
                "RFC 9111 §4.3.2: a cache SHOULD evaluate the conditions of a request it can satisfy from storage.",
                ctx -> {
                    cached(ctx, "\"e1\"");
                    Response b = ctx.get("If-None-Match", "\"e1\"");
                    ctx.expectStatus(b, 304);
                    ctx.expectCount(1, "the conditional request should be answered from cache");
                });
        test("client-inm-weak-match-304", "rfc9110#section-13.1.2", SHOULD,
                "If-None-Match uses weak comparison",
                "RFC 9110 §13.1.2: a recipient MUST use the weak comparison function for If-None-Match.",
                ctx -> {
                    cached(ctx, "\"e1\"");
                    Response b = ctx.get("If-None-Match", "W/\"e1\"");
                    ctx.expectStatus(b, 304);
                });
        test("client-inm-list-match-304", "rfc9110#section-13.1.2", SHOULD,
                "A list in If-None-Match matches any member",
                "RFC 9110 §13.1.2: the condition is false if any listed tag matches.",
                ctx -> {
                    cached(ctx, "\"e1\"");
                    Response b = ctx.get("If-None-Match", "\"zz\", \"e1\"");
                    ctx.expectStatus(b, 304);
                });
        test("client-inm-star-304", "rfc9110#section-13.1.2", SHOULD, "If-None-Match: * on a stored entry gets 304",
                "RFC 9110 §13.1.2: \"*\" is false when a current representation exists.",
                ctx -> {
                    cached(ctx, "\"e1\"");
                    Response b = ctx.get("If-None-Match", "*");
                    ctx.expectStatus(b, 304);
                });
        test("client-inm-mismatch-200", "rfc9110#section-13.1.2", MUST,
                "A non-matching If-None-Match gets the full response",
                "RFC 9110 §13.1.2: if no tag matches, the condition is true and the method is performed.",
                ctx -> {
                    cached(ctx, "\"e1\"");
                    Response b = ctx.get("If-None-Match", "\"other\"");
                    ctx.expectStatus(b, 200);
                    ctx.check(b.text().startsWith("#"), "the 200 has no content: " + b.summary());
                });
        test("client-ims-later-304", "rfc9110#section-13.1.3", SHOULD,
                "If-Modified-Since at or after Last-Modified gets 304 from the cache",
                "RFC 9111 §4.3.2: a cache SHOULD evaluate the conditions of a request it can satisfy from storage.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600", "Last-Modified", LM);
                    ctx.get();
                    Response b = ctx.get("If-Modified-Since", httpDate(-60));
                    ctx.expectStatus(b, 304);
                    ctx.expectCount(1, "the conditional request should be answered from cache");
                });
        test("client-ims-earlier-200", "rfc9110#section-13.1.3", MUST,
                "If-Modified-Since before Last-Modified gets the full response",
                "RFC 9110 §13.1.3: the resource was modified since that date, so the full response is sent.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600", "Last-Modified", LM);
                    ctx.get();
                    Response b = ctx.get("If-Modified-Since", httpDate(-86400L * 365));
                    ctx.expectStatus(b, 200);
                    ctx.check(b.text().startsWith("#"), "the 200 has no content: " + b.summary());
                });
        test("client-inm-overrides-ims", "rfc9110#section-13.1.3", MUST,
                "If-None-Match that does not match wins over a matching If-Modified-Since",
                "RFC 9110 §13.1.3: a recipient MUST ignore If-Modified-Since if the request contains If-None-Match.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600", "Last-Modified", LM, "ETag", "\"e1\"");
                    ctx.get();
                    Response b = ctx.get("If-None-Match", "\"other\"", "If-Modified-Since", httpDate(0));
                    ctx.expectStatus(b, 200);
                });
        test("client-304-has-etag", "rfc9110#section-15.4.5", MUST, "A 304 from the cache carries the ETag",
                "RFC 9110 §15.4.5: a 304 MUST include ETag, Date, Cache-Control... that a 200 would have carried.",
                ctx -> {
                    cached(ctx, "\"e1\"");
                    Response b = ctx.get("If-None-Match", "\"e1\"");
                    ctx.require(b.status() == 304, "the cache did not answer 304 (" + b.summary() + ")");
                    ctx.expectHeader(b, "ETag", "\"e1\"");
                });
        test("client-304-has-cache-control", "rfc9110#section-15.4.5", MUST,
                "A 304 from the cache carries Cache-Control",
                "RFC 9110 §15.4.5: the server generating a 304 MUST generate Cache-Control if a 200 would carry it.",
                ctx -> {
                    cached(ctx, "\"e1\"");
                    Response b = ctx.get("If-None-Match", "\"e1\"");
                    ctx.require(b.status() == 304, "the cache did not answer 304 (" + b.summary() + ")");
                    ctx.expectPresent(b, "Cache-Control");
                });
        test("client-304-has-vary", "rfc9110#section-15.4.5", MUST, "A 304 from the cache carries Vary",
                "RFC 9110 §15.4.5: a 304 MUST generate Vary if a 200 would have carried it.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600", "ETag", "\"e1\"", "Vary", "X-Variant");
                    ctx.get();
                    Response b = ctx.get("If-None-Match", "\"e1\"");
                    ctx.require(b.status() == 304, "the cache did not answer 304 (" + b.summary() + ")");
                    ctx.expectPresent(b, "Vary");
                });
        test("client-304-no-body", "rfc9110#section-15.4.5", MUST, "A 304 from the cache has no content",
                "RFC 9110 §15.4.5: a 304 response cannot contain content; the next response must parse cleanly.",
                ctx -> {
                    cached(ctx, "\"e1\"");
                    String host = "Host: " + ctx.cacheAuthority() + "\r\n";
                    var rs = ctx.raw("GET " + ctx.path() + " HTTP/1.1\r\n" + host + "If-None-Match: \"e1\"\r\n\r\n"
                            + "GET " + ctx.path() + " HTTP/1.1\r\n" + host + "Connection: close\r\n\r\n", 2);
                    ctx.require(!rs.isEmpty() && rs.get(0).status() == 304, "the cache did not answer 304");
                    ctx.check(rs.size() == 2 && rs.get(1).status() == 200 && rs.get(1).text().equals("#1"),
                            "the response after the 304 was not parsed cleanly: " + rs.size() + " responses");
                });
    }

    /** Stores a response with the given validators and max-age=1, waits until stale and requests again. */
    private static void stale(Ctx ctx, String etag, String lastModified) throws Exception {
        ctx.origin(r -> {
            if (r.sequence() > 1 && (r.has("If-None-Match") || r.has("If-Modified-Since"))) {
                Reply rep = Reply.status(304);
                if (etag != null) {
                    rep.header("ETag", etag);
                }
                return rep;
            }
            Reply rep = Reply.ok("max-age=1").body("#" + r.sequence());
            if (etag != null) {
                rep.header("ETag", etag);
            }
            if (lastModified != null) {
                rep.header("Last-Modified", lastModified);
            }
            return rep;
        });
        ctx.get();
        ctx.pause(2500);
        ctx.get();
        // A cache serving stale while revalidating in the background contacts the origin a moment later.
        ctx.awaitCount(2, 1500);
        ctx.require(ctx.count() == 2, "expected the stale entry to cause one origin request, origin saw " + ctx.count());
    }

    /** Stores an ETag'd max-age=1 response, lets it go stale, answers the revalidation with the given 304. */
    private static Response stale304(Ctx ctx, Function<RecordedRequest, Reply> notModified) throws Exception {
        ctx.origin(r -> r.has("If-None-Match") ? notModified.apply(r)
                : Reply.ok("max-age=1").header("ETag", "\"v\"").header("X-Version", "1").body("#" + r.sequence()));
        ctx.get();
        ctx.pause(2500);
        Response b = ctx.get();
        // Served stale before (or while) validating in the background: count not yet 2, or an Age of the old entry.
        boolean background = ctx.count() < 2 || seconds(b.header("Age")) >= 2;
        ctx.awaitCount(2, 1500);
        ctx.require(ctx.count() == 2 && ctx.lastReceived().has("If-None-Match"),
                "the cache did not revalidate with If-None-Match (origin saw " + ctx.count() + " requests)");
        if (background) {
            // The stale response was served before the validation finished: judge the next response instead.
            ctx.pause(200);
            return ctx.get();
        }
        return b;
    }

    /** Stores a fresh response with an ETag and requires that it is reused. */
    private static void cached(Ctx ctx, String etag) throws Exception {
        ctx.serve("Cache-Control", "max-age=3600", "ETag", etag);
        ctx.get();
        ctx.get();
        ctx.requireCount(1, "the response was not stored");
    }
}
