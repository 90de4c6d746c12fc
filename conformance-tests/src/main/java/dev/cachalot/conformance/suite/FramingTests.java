package dev.cachalot.conformance.suite;

import static dev.cachalot.conformance.dsl.Level.MUST;
import static dev.cachalot.conformance.dsl.Level.SHOULD;

import dev.cachalot.conformance.client.Response;
import dev.cachalot.conformance.dsl.Ctx;
import dev.cachalot.conformance.dsl.Level;
import dev.cachalot.conformance.origin.RecordedRequest;
import dev.cachalot.conformance.origin.Reply;
import java.util.List;
import java.util.function.Function;

/**
 * RFC 9112 message framing and request smuggling probes over raw sockets. Each ambiguous request hides a second
 * request for {@code <prefix>/smuggled}; the cache must reject or normalise the message, and the origin must never
 * see the hidden request nor unparseable bytes. A follow-up request checks that the connection to the origin was
 * not left desynchronised.
 */
public final class FramingTests extends Dsl {
    /** What a probe requires beyond "no desynchronisation". */
    private enum Expect {
        /** Only that the origin never sees the smuggled request or stray bytes. */
        NO_DESYNC,
        /** A 400 response (RFC 9112 names 400 for this case), and no desynchronisation. */
        REJECT_400,
        /** A 400 or 501 response. */
        REJECT_400_OR_501,
        /** Any 4xx response (or a closed connection), and no desynchronisation. */
        REJECT_4XX
    }

    public FramingTests() {
        requestSmuggling();
        requestFieldSyntax();
        messageHandling();
        responseFraming();
    }

    private void requestSmuggling() {
        probe("smuggle-cl-te", MUST, "CL.TE: Content-Length and chunked disagree; no request is smuggled",
                "RFC 9112 §6.3: Transfer-Encoding overrides Content-Length; §11.2: request smuggling must be prevented.",
                ctx -> {
                    String hidden = "GET " + ctx.path("smuggled") + " HTTP/1.1\r\nHost: x\r\n\r\n";
                    String body = "0\r\n\r\n" + hidden;
                    return "POST " + ctx.path() + " HTTP/1.1\r\n" + host(ctx) + "Content-Length: " + body.length()
                            + "\r\nTransfer-Encoding: chunked\r\n\r\n" + body;
                }, Expect.NO_DESYNC);
        probe("smuggle-te-cl", MUST, "TE.CL: a short Content-Length beside chunked; no request is smuggled",
                "RFC 9112 §6.3: with both fields, Transfer-Encoding overrides Content-Length.",
                ctx -> {
                    String hidden = "GET " + ctx.path("smuggled") + " HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nx=";
                    String chunk = Integer.toHexString(hidden.length()) + "\r\n" + hidden + "\r\n0\r\n\r\n";
                    return "POST " + ctx.path() + " HTTP/1.1\r\n" + host(ctx) + "Content-Length: 4\r\n"
                            + "Transfer-Encoding: chunked\r\n\r\n" + chunk;
                }, Expect.NO_DESYNC);
        test("cl-te-connection-closed", "rfc9112#section-6.1", MUST,
                "After a request with both Content-Length and Transfer-Encoding, the connection is closed",
                "RFC 9112 §6.1: regardless, the server MUST close the connection after responding to such a request.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("no-store").body("#" + r.sequence()));
                    String body = "5\r\nhello\r\n0\r\n\r\n";
                    List<Response> rs = ctx.raw("POST " + ctx.path() + " HTTP/1.1\r\n" + host(ctx) + "Content-Length: "
                            + body.length() + "\r\nTransfer-Encoding: chunked\r\n\r\n" + body
                            + "GET " + ctx.path("second") + " HTTP/1.1\r\n" + host(ctx) + "\r\n", 2);
                    ctx.check(rs.size() <= 1, "the cache answered a second request on the same connection");
                });
        test("cl-te-not-both-forwarded", "rfc9112#section-6.3", MUST,
                "A request with both framing fields reaches the origin without Content-Length",
                "RFC 9112 §6.3: an intermediary MUST remove the received Content-Length before forwarding (or reject).",
                ctx -> {
                    ctx.origin(r -> Reply.ok("no-store").body("#" + r.sequence()));
                    String body = "5\r\nhello\r\n0\r\n\r\n";
                    ctx.raw("POST " + ctx.path() + " HTTP/1.1\r\n" + host(ctx) + "Content-Length: " + body.length()
                            + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + body, 1);
                    for (RecordedRequest r : ctx.received()) {
                        ctx.check(!(r.has("Content-Length") && r.has("Transfer-Encoding")),
                                "the origin received both Content-Length and Transfer-Encoding");
                        ctx.check(r.bodyText().equals("hello"), "the origin received body '" + r.bodyText() + "'");
                    }
                });
        probe("te-not-final-chunked", MUST, "Transfer-Encoding: chunked, gzip is rejected (400, or 501 for the coding)",
                "RFC 9112 §6.3: chunked not final MUST get 400 and close; §6.1 lets an unknown coding get 501 instead.",
                ctx -> "POST " + ctx.path() + " HTTP/1.1\r\n" + host(ctx) + "Transfer-Encoding: chunked, gzip\r\n\r\n"
                        + "0\r\n\r\nGET " + ctx.path("smuggled") + " HTTP/1.1\r\nHost: x\r\n\r\n", Expect.REJECT_400_OR_501);
        probe("te-second-line-not-chunked", MUST, "A second Transfer-Encoding line after chunked is rejected (400 or 501)",
                "RFC 9112 §6.3: the lines combine to \"chunked, x-custom\"; chunked is not final (400; 501 for the coding).",
                ctx -> "POST " + ctx.path() + " HTTP/1.1\r\n" + host(ctx) + "Transfer-Encoding: chunked\r\n"
                        + "Transfer-Encoding: x-custom\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", Expect.REJECT_400_OR_501);
        probe("te-unknown-coding", MUST, "An unknown transfer coding is rejected (400 or 501)",
                "RFC 9112 §6.3: chunked not final means 400; §6.1: an unknown coding SHOULD get 501.",
                ctx -> "POST " + ctx.path() + " HTTP/1.1\r\n" + host(ctx) + "Transfer-Encoding: xchunked\r\n"
                        + "Content-Length: 5\r\n\r\n0\r\n\r\n", Expect.REJECT_400_OR_501);
        probe("te-http10", MUST, "Transfer-Encoding in an HTTP/1.0 request is treated as faulty framing",
                "RFC 9112 §6.1: treat the framing as faulty, even with Content-Length, and close the connection.",
                ctx -> {
                    String hidden = "GET " + ctx.path("smuggled") + " HTTP/1.1\r\nHost: x\r\n\r\n";
                    String body = "0\r\n\r\n" + hidden;
                    return "POST " + ctx.path() + " HTTP/1.0\r\n" + host(ctx) + "Content-Length: " + body.length()
                            + "\r\nTransfer-Encoding: chunked\r\n\r\n" + body;
                }, Expect.NO_DESYNC);
        test("te-case-insensitive", "rfc9112#section-7", MUST, "Transfer-Encoding: CHUNKED is decoded as chunked",
                "RFC 9112 §7: transfer coding names are case-insensitive.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("no-store").body("got:" + r.bodyText()));
                    List<Response> rs = ctx.raw("POST " + ctx.path() + " HTTP/1.1\r\n" + host(ctx)
                            + "Transfer-Encoding: CHUNKED\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 1);
                    ctx.check(!rs.isEmpty() && rs.get(0).text().equals("got:hello"),
                            "the origin did not receive the decoded body 'hello': "
                                    + (rs.isEmpty() ? "no response" : rs.get(0).summary()));
                });
        probe("te-space-before-colon", MUST, "\"Transfer-Encoding :\" (space before the colon) is rejected with 400",
                "RFC 9112 §5.1: a server MUST reject whitespace between a field name and the colon with 400.",
                ctx -> "POST " + ctx.path() + " HTTP/1.1\r\n" + host(ctx) + "Transfer-Encoding : chunked\r\n"
                        + "Content-Length: 4\r\n\r\n5c\r\nGET " + ctx.path("smuggled") + " HTTP/1.1\r\n\r\n", Expect.REJECT_400);
        probe("cl-invalid-letters", MUST, "Content-Length: abc is rejected with 400",
                "RFC 9112 §6.3: an invalid Content-Length in a request: the server MUST respond 400 and close.",
                ctx -> "POST " + ctx.path() + " HTTP/1.1\r\n" + host(ctx) + "Content-Length: abc\r\n\r\nhello",
                Expect.REJECT_400);
        probe("cl-negative", MUST, "Content-Length: -1 is rejected with 400",
                "RFC 9112 §6.3: Content-Length is 1*DIGIT; an invalid value MUST get 400.",
                ctx -> "POST " + ctx.path() + " HTTP/1.1\r\n" + host(ctx) + "Content-Length: -1\r\n\r\nhello",
                Expect.REJECT_400);
        probe("cl-plus-sign", MUST, "Content-Length: +5 is rejected with 400",
                "RFC 9112 §6.3: Content-Length is 1*DIGIT; \"+5\" is invalid and MUST get 400.",
                ctx -> "POST " + ctx.path() + " HTTP/1.1\r\n" + host(ctx) + "Content-Length: +5\r\n\r\nhello"
                        + "GET " + ctx.path("smuggled") + " HTTP/1.1\r\nHost: x\r\n\r\n", Expect.REJECT_400);
        probe("cl-duplicate-different", MUST, "Two different Content-Length lines are rejected with 400",
                "RFC 9112 §6.3: differing Content-Length values are an unrecoverable error: 400 and close.",
                ctx -> "POST " + ctx.path() + " HTTP/1.1\r\n" + host(ctx) + "Content-Length: 5\r\nContent-Length: 40\r\n\r\n"
                        + "helloGET " + ctx.path("smuggled") + " HTTP/1.1\r\nHost: x\r\n\r\n", Expect.REJECT_400);
        probe("cl-list-different", MUST, "Content-Length: 5, 40 is rejected with 400",
                "RFC 9112 §6.3: a list of differing lengths is invalid: 400 and close.",
                ctx -> "POST " + ctx.path() + " HTTP/1.1\r\n" + host(ctx) + "Content-Length: 5, 40\r\n\r\n"
                        + "helloGET " + ctx.path("smuggled") + " HTTP/1.1\r\nHost: x\r\n\r\n", Expect.REJECT_400);
        test("cl-list-same", "rfc9112#section-6.3", MUST,
                "Content-Length: 5, 5 is rejected or forwarded as a single Content-Length: 5",
                "RFC 9110 §8.6: a recipient MAY reject it or replace the duplicates with a single valid value.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("no-store").body("#" + r.sequence()));
                    ctx.raw("POST " + ctx.path() + " HTTP/1.1\r\n" + host(ctx) + "Content-Length: 5, 5\r\n"
                            + "Connection: close\r\n\r\nhello", 1);
                    for (RecordedRequest r : ctx.received()) {
                        ctx.check(r.headers("Content-Length").equals(List.of("5")),
                                "the origin received Content-Length " + r.headers("Content-Length"));
                    }
                });
        probe("cl-overflow", MUST, "A Content-Length beyond 64 bits is rejected",
                "RFC 9112 §6.3: a length that cannot be parsed is invalid; the request must not be processed.",
                ctx -> "POST " + ctx.path() + " HTTP/1.1\r\n" + host(ctx) + "Content-Length: 99999999999999999999999\r\n\r\n"
                        + "hello", Expect.REJECT_4XX);
        probe("chunk-size-invalid", MUST, "A chunk size that is not hex does not desynchronise the stream",
                "RFC 9112 §7.1: chunk-size = 1*HEXDIG; an invalid body must be rejected, not reinterpreted.",
                ctx -> "POST " + ctx.path() + " HTTP/1.1\r\n" + host(ctx) + "Transfer-Encoding: chunked\r\n\r\n"
                        + "zz\r\nhello\r\n0\r\n\r\nGET " + ctx.path("smuggled") + " HTTP/1.1\r\nHost: x\r\n\r\n",
                Expect.NO_DESYNC);
        probe("chunk-size-overflow", MUST, "An overflowing chunk size does not desynchronise the stream",
                "RFC 9112 §7.1: recipients MUST anticipate potentially large hexadecimal numerals and prevent overflow.",
                ctx -> "POST " + ctx.path() + " HTTP/1.1\r\n" + host(ctx) + "Transfer-Encoding: chunked\r\n\r\n"
                        + "10000000000000005\r\nhello\r\n0\r\n\r\nGET " + ctx.path("smuggled") + " HTTP/1.1\r\nHost: x\r\n\r\n",
                Expect.NO_DESYNC);
        probe("chunk-size-0x-prefix", MUST, "A chunk size written 0x5 does not desynchronise the stream",
                "RFC 9112 §7.1: chunk-size is bare hex digits; 0x5 is invalid.",
                ctx -> "POST " + ctx.path() + " HTTP/1.1\r\n" + host(ctx) + "Transfer-Encoding: chunked\r\n\r\n"
                        + "0x5\r\nhello\r\n0\r\n\r\nGET " + ctx.path("smuggled") + " HTTP/1.1\r\nHost: x\r\n\r\n",
                Expect.NO_DESYNC);
        probe("chunk-size-negative", MUST, "A negative chunk size does not desynchronise the stream",
                "RFC 9112 §7.1: chunk-size = 1*HEXDIG.",
                ctx -> "POST " + ctx.path() + " HTTP/1.1\r\n" + host(ctx) + "Transfer-Encoding: chunked\r\n\r\n"
                        + "-5\r\nhello\r\n0\r\n\r\nGET " + ctx.path("smuggled") + " HTTP/1.1\r\nHost: x\r\n\r\n",
                Expect.NO_DESYNC);
        probe("chunk-data-too-long", MUST, "Chunk data longer than its size does not desynchronise the stream",
                "RFC 9112 §7.1: chunk data is followed by CRLF; extra bytes make the message invalid.",
                ctx -> "POST " + ctx.path() + " HTTP/1.1\r\n" + host(ctx) + "Transfer-Encoding: chunked\r\n\r\n"
                        + "3\r\nhelloGET " + ctx.path("smuggled") + " HTTP/1.1\r\nHost: x\r\n\r\n0\r\n\r\n",
                Expect.NO_DESYNC);
        probe("get-with-body", MUST, "A GET with a Content-Length body does not desynchronise the stream",
                "RFC 9112 §6.3: Content-Length frames the body of any request, GET included.",
                ctx -> {
                    String hidden = "GET " + ctx.path("smuggled") + " HTTP/1.1\r\nHost: x\r\n\r\n";
                    return "GET " + ctx.path() + " HTTP/1.1\r\n" + host(ctx) + "Content-Length: " + hidden.length()
                            + "\r\n\r\n" + hidden;
                }, Expect.NO_DESYNC);
    }

    private void requestFieldSyntax() {
        probe("space-before-colon", MUST, "A request field with whitespace before the colon is rejected with 400",
                "RFC 9112 §5.1: a server MUST reject such a request with 400 (Bad Request).",
                ctx -> "GET " + ctx.path() + " HTTP/1.1\r\n" + host(ctx) + "X-Spaced : value\r\n\r\n", Expect.REJECT_400);
        test("obs-fold-request", "rfc9112#section-5.2", MUST,
                "A folded request field is rejected or unfolded before forwarding",
                "RFC 9112 §5.2: reject with 400 or replace each obs-fold with SP before forwarding.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("no-store").body("#" + r.sequence()));
                    List<Response> rs = ctx.raw("GET " + ctx.path() + " HTTP/1.1\r\n" + host(ctx)
                            + "X-Folded: first\r\n second\r\nConnection: close\r\n\r\n", 1);
                    ctx.check(ctx.originFramingErrors().isEmpty(), "the origin received an obs-fold");
                    if (ctx.count() > 0) {
                        String v = ctx.lastReceived().header("X-Folded");
                        ctx.check(v == null || !v.contains("\n"), "the folded value reached the origin: " + v);
                    } else {
                        ctx.check(!rs.isEmpty() && rs.get(0).status() == 400, "neither forwarded nor rejected with 400");
                    }
                });
        test("bare-cr-request", "rfc9112#section-2.2", MUST,
                "A bare CR in a request field is rejected or replaced before forwarding",
                "RFC 9112 §2.2: a recipient MUST consider a bare CR invalid or replace it with SP before forwarding.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("no-store").body("#" + r.sequence()));
                    ctx.raw("GET " + ctx.path() + " HTTP/1.1\r\n" + host(ctx) + "X-Bare: a\rb\r\nConnection: close\r\n\r\n", 1);
                    for (RecordedRequest r : ctx.received()) {
                        String raw = new String(r.rawHead(), java.nio.charset.StandardCharsets.ISO_8859_1);
                        ctx.check(!raw.matches("(?s).*\r[^\n].*"), "the origin received a bare CR");
                    }
                });
        test("nul-request", "rfc9110#section-5.5", MUST, "A NUL in a request field is rejected or replaced",
                "RFC 9110 §5.5: a recipient of CR, LF or NUL in a field value MUST reject the message or replace them with SP.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("no-store").body("#" + r.sequence()));
                    ctx.raw("GET " + ctx.path() + " HTTP/1.1\r\n" + host(ctx) + "X-Nul: a\0b\r\nConnection: close\r\n\r\n", 1);
                    for (RecordedRequest r : ctx.received()) {
                        String raw = new String(r.rawHead(), java.nio.charset.StandardCharsets.ISO_8859_1);
                        ctx.check(raw.indexOf('\0') < 0, "the origin received a NUL byte");
                    }
                });
        probe("host-missing", MUST, "An HTTP/1.1 request without Host is rejected with 400",
                "RFC 9112 §3.2: a server MUST respond 400 to an HTTP/1.1 request that lacks a Host header field.",
                ctx -> "GET " + ctx.path() + " HTTP/1.1\r\nX-No-Host: 1\r\n\r\n", Expect.REJECT_400);
        probe("host-duplicate", MUST, "A request with two Host lines is rejected with 400",
                "RFC 9112 §3.2: a server MUST respond 400 to a request with more than one Host field line.",
                ctx -> "GET " + ctx.path() + " HTTP/1.1\r\n" + host(ctx) + "Host: evil.example\r\n\r\n", Expect.REJECT_400);
        probe("host-invalid", MUST, "A request with an invalid Host value is rejected with 400",
                "RFC 9112 §3.2: a server MUST respond 400 to a Host header field with an invalid value.",
                ctx -> "GET " + ctx.path() + " HTTP/1.1\r\nHost: bad host/with space\r\n\r\n", Expect.REJECT_400);
        probe("request-target-with-space", SHOULD, "A request-target containing a space is rejected",
                "RFC 9112 §3.2: recipients of an invalid request-line SHOULD respond with 400 or a 301 redirect.",
                ctx -> "GET " + ctx.path("a b") + " HTTP/1.1\r\n" + host(ctx) + "\r\n", Expect.REJECT_4XX);
        probe("invalid-field-name", MUST, "A field name with a space inside it does not reach the origin",
                "RFC 9110 §5.1: field names are tokens; the message is invalid and must not be forwarded as is.",
                ctx -> "GET " + ctx.path() + " HTTP/1.1\r\n" + host(ctx) + "X Bad Name: 1\r\n\r\n", Expect.REJECT_4XX);
    }

    private void messageHandling() {
        test("absolute-form-accepted", "rfc9112#section-3.2.2", MUST, "A request in absolute-form is accepted",
                "RFC 9112 §3.2.2: a server MUST accept the absolute-form in requests.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("no-store").body("abs"));
                    Response r = ctx.send("GET", "http://" + ctx.cacheAuthority() + ctx.path(), null);
                    ctx.expectStatus(r, 200);
                    ctx.expectBody(r, "abs");
                });
        test("http10-no-chunked", "rfc9112#section-6.1", MUST, "An HTTP/1.0 client never receives a chunked response",
                "RFC 9112 §6.1: a server MUST NOT send Transfer-Encoding unless the request indicates HTTP/1.1 or later.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("no-store").body("chunky body").chunked());
                    List<Response> rs = ctx.raw("GET " + ctx.path() + " HTTP/1.0\r\n" + host(ctx) + "\r\n", 1);
                    ctx.require(!rs.isEmpty(), "no response");
                    ctx.expectAbsent(rs.get(0), "Transfer-Encoding");
                    ctx.expectBody(rs.get(0), "chunky body");
                });
        test("head-no-body", "rfc9110#section-9.3.2", MUST, "A HEAD response has no content, even from cache",
                "RFC 9110 §9.3.2: the server MUST NOT send content in the response to HEAD.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("max-age=3600").body("#" + r.sequence()));
                    ctx.get();
                    List<Response> rs = ctx.rawAfterHead("HEAD " + ctx.path() + " HTTP/1.1\r\n" + host(ctx) + "\r\nGET "
                            + ctx.path("next") + " HTTP/1.1\r\n" + host(ctx) + "Connection: close\r\n\r\n", 2);
                    ctx.require(!rs.isEmpty(), "no response to HEAD");
                    ctx.check(rs.size() == 2 && rs.get(1).status() == 200 && rs.get(1).text().startsWith("#"),
                            "the response after HEAD was not parsed cleanly (HEAD carried content?)");
                });
        test("pipelined-in-order", "rfc9112#section-9.3.2", MUST, "Pipelined requests are answered in order",
                "RFC 9112 §9.3.2: a server MUST send the responses in the same order as the requests.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("no-store").body(r.localPath()).delay(r.localPath().equals("/a") ? 300 : 0));
                    List<Response> rs = ctx.raw("GET " + ctx.path("a") + " HTTP/1.1\r\n" + host(ctx) + "\r\nGET "
                            + ctx.path("b") + " HTTP/1.1\r\n" + host(ctx) + "Connection: close\r\n\r\n", 2);
                    ctx.check(rs.size() == 2, "expected two responses, got " + rs.size());
                    ctx.expectBody(rs.get(0), "/a");
                    ctx.expectBody(rs.get(1), "/b");
                });
    }

    private void responseFraming() {
        test("response-cl-te", "rfc9112#section-6.3", MUST,
                "A response with both Content-Length and chunked is decoded as chunked and not forwarded with both",
                "RFC 9112 §6.3: Transfer-Encoding overrides; an intermediary MUST remove Content-Length before forwarding.",
                ctx -> {
                    ctx.origin(r -> Reply.raw("HTTP/1.1 200 OK\r\nCache-Control: no-store\r\nContent-Length: 3\r\n"
                            + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n"));
                    Response a = ctx.get();
                    ctx.check(a.status() >= 500 || a.text().equals("hello"),
                            "expected the chunked body 'hello' (or an error: such a message ought to be handled as one), got "
                                    + a.summary());
                    ctx.check(!(a.has("Content-Length") && a.has("Transfer-Encoding")),
                            "the client received both Content-Length and Transfer-Encoding");
                });
        test("response-cl-duplicate-502", "rfc9112#section-6.3", MUST,
                "A response with conflicting Content-Length values becomes a 502",
                "RFC 9112 §6.3: a proxy MUST close the connection to the server, discard the response and send 502.",
                ctx -> {
                    ctx.origin(r -> Reply.raw("HTTP/1.1 200 OK\r\nCache-Control: max-age=3600\r\nContent-Length: 5\r\n"
                            + "Content-Length: 8\r\nConnection: close\r\n\r\nhello123"));
                    Response a = ctx.get();
                    ctx.expectStatus(a, 502);
                });
        test("response-cl-invalid-502", "rfc9112#section-6.3", MUST,
                "A response with an invalid Content-Length becomes a 502",
                "RFC 9112 §6.3: an invalid Content-Length in a response received by a proxy MUST yield 502.",
                ctx -> {
                    ctx.origin(r -> Reply.raw("HTTP/1.1 200 OK\r\nCache-Control: max-age=3600\r\nContent-Length: 5x\r\n"
                            + "Connection: close\r\n\r\nhello"));
                    Response a = ctx.get();
                    ctx.expectStatus(a, 502);
                });
        test("response-obs-fold", "rfc9112#section-5.2", MUST,
                "A folded response field is unfolded or the response replaced by 502",
                "RFC 9112 §5.2: a proxy MUST discard it with a 502 or replace each obs-fold with SP before forwarding.",
                ctx -> {
                    ctx.origin(r -> Reply.raw("HTTP/1.1 200 OK\r\nCache-Control: no-store\r\nX-Folded: first\r\n second\r\n"
                            + "Content-Length: 2\r\nConnection: close\r\n\r\nok"));
                    Response a = ctx.get();
                    ctx.check(a.status() != 0, "no response");
                    ctx.check(!a.rawHead().matches("(?s).*\r\n[ \t].*"), "the client received an obs-fold");
                });
        test("response-bare-cr", "rfc9112#section-2.2", MUST,
                "A bare CR in a response field does not reach the client",
                "RFC 9112 §2.2: a recipient MUST treat a bare CR as invalid or replace it with SP before forwarding.",
                ctx -> {
                    ctx.origin(r -> Reply.raw("HTTP/1.1 200 OK\r\nCache-Control: no-store\r\nX-Bare: a\rb\r\n"
                            + "Content-Length: 2\r\nConnection: close\r\n\r\nok"));
                    Response a = ctx.get();
                    ctx.check(!a.rawHead().matches("(?s).*\r[^\n].*"), "the client received a bare CR");
                });
        test("response-nul", "rfc9110#section-5.5", MUST, "A NUL in a response field does not reach the client",
                "RFC 9110 §5.5: a recipient MUST reject the message or replace NUL with SP before forwarding.",
                ctx -> {
                    ctx.origin(r -> Reply.raw("HTTP/1.1 200 OK\r\nCache-Control: no-store\r\nX-Nul: a\0b\r\n"
                            + "Content-Length: 2\r\nConnection: close\r\n\r\nok"));
                    Response a = ctx.get();
                    ctx.check(a.rawHead().indexOf('\0') < 0, "the client received a NUL byte");
                });
        test("response-space-before-colon", "rfc9112#section-5.1", MUST,
                "Whitespace before a response field's colon is removed before forwarding",
                "RFC 9112 §5.1: a proxy MUST remove any such whitespace from a response message before forwarding.",
                ctx -> {
                    ctx.origin(r -> Reply.raw("HTTP/1.1 200 OK\r\nCache-Control: no-store\r\nX-Spaced : v\r\n"
                            + "Content-Length: 2\r\nConnection: close\r\n\r\nok"));
                    Response a = ctx.get();
                    ctx.check(a.status() != 0, "no response");
                    ctx.check(!a.rawHead().contains("X-Spaced :"), "the client received 'X-Spaced :'");
                });
        test("response-bad-chunk-not-stored", "rfc9111#section-3.3", MUST,
                "A response with a broken chunked body is not stored as complete",
                "RFC 9111 §3.3: an incomplete response MUST NOT be used as complete.",
                ctx -> {
                    ctx.origin(r -> r.sequence() == 1
                            ? Reply.raw("HTTP/1.1 200 OK\r\nCache-Control: max-age=3600\r\nTransfer-Encoding: chunked\r\n"
                                    + "Connection: close\r\n\r\n5\r\nhello\r\nzz\r\nbroken")
                            : Reply.ok("max-age=3600").body("complete"));
                    ctx.get();
                    Response b = ctx.get();
                    ctx.check(b.text().equals("complete") && b.complete(), "the broken response was reused: " + b.summary());
                });
        test("response-no-framing-close", "rfc9112#section-6.3", MUST,
                "A response delimited by connection close arrives complete",
                "RFC 9112 §6.3: without Content-Length or chunked, the body ends at connection close.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("no-store").body("x".repeat(50000)).closeDelimited());
                    Response a = ctx.get();
                    ctx.check(a.complete() && a.body().length == 50000,
                            "expected 50000 bytes, got " + a.body().length + (a.complete() ? "" : " (incomplete)"));
                });
        test("response-1xx-skipped", "rfc9110#section-15.2", MUST,
                "An unsolicited 103 before the final response does not break the exchange",
                "RFC 9110 §15.2: a client MUST be able to parse 1xx responses before the final one; proxies forward them.",
                ctx -> {
                    ctx.origin(r -> Reply.raw("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n"
                            + "HTTP/1.1 200 OK\r\nCache-Control: no-store\r\nContent-Length: 5\r\nConnection: close\r\n\r\nfinal"));
                    Response a = ctx.get();
                    ctx.expectStatus(a, 200);
                    ctx.expectBody(a, "final");
                });
    }

    private void probe(String id, Level level, String title, String why, Function<Ctx, String> bytes, Expect expect) {
        String section = id.startsWith("host") || id.startsWith("request-target") ? "3.2"
                : id.startsWith("space") || id.startsWith("invalid-field") || id.startsWith("te-space") ? "5.1"
                : id.startsWith("chunk") ? "7.1" : id.equals("te-http10") ? "6.1"
                : id.startsWith("smuggle") ? "11.2" : "6.3";
        test(id, "rfc9112#section-" + section, level, title, why, ctx -> {
            ctx.origin(r -> Reply.ok("no-store").body("#" + r.sequence()));
            List<Response> rs = ctx.raw(bytes.apply(ctx), 3);
            ctx.pause(300);
            checkNoDesync(ctx);
            int status = rs.isEmpty() ? 0 : rs.get(0).status();
            switch (expect) {
                case REJECT_400:
                    ctx.check(status == 400, "expected 400 (Bad Request), got "
                            + (rs.isEmpty() ? "no response" : rs.get(0).summary()));
                    break;
                case REJECT_400_OR_501:
                    ctx.check(status == 400 || status == 501, "expected 400 or 501, got "
                            + (rs.isEmpty() ? "no response" : rs.get(0).summary()));
                    break;
                case REJECT_4XX:
                    ctx.check(status == 0 || (status >= 400 && status < 500), "expected a 4xx rejection, got "
                            + rs.get(0).summary());
                    ctx.check(countFor(ctx, "/r") == 0 && countFor(ctx, "/a b") == 0,
                            "the invalid request reached the origin");
                    break;
                default:
                    break;
            }
        });
    }

    /** Fails if the origin saw the hidden request or bytes it could not parse, or a follow-up request fails. */
    private static void checkNoDesync(Ctx ctx) throws Exception {
        ctx.check(countFor(ctx, "/smuggled") == 0, "the origin received the smuggled request");
        List<String> errors = ctx.originFramingErrors();
        if (!errors.isEmpty()) {
            ctx.check(false, "the origin received unparseable bytes: "
                    + errors.get(0).replace("\r", "\\r").replace("\n", "\\n"));
        }
        Response after = ctx.getPath(ctx.path("after"));
        ctx.check(after.status() == 200 && after.text().startsWith("#"),
                "a normal request after the probe failed: " + after.summary());
        ctx.check(countFor(ctx, "/smuggled") == 0, "the origin received the smuggled request");
    }

    private static String host(Ctx ctx) {
        return "Host: " + ctx.cacheAuthority() + "\r\n";
    }
}
