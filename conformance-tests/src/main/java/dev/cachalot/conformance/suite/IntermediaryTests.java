package dev.cachalot.conformance.suite;

import static dev.cachalot.conformance.dsl.Level.INFO;
import static dev.cachalot.conformance.dsl.Level.MAY;
import static dev.cachalot.conformance.dsl.Level.MUST;
import static dev.cachalot.conformance.dsl.Level.SHOULD;

import dev.cachalot.conformance.client.Response;
import dev.cachalot.conformance.origin.RecordedRequest;
import dev.cachalot.conformance.origin.Reply;
import java.util.Arrays;
import java.util.Locale;

/**
 * RFC 9110 §7.6 intermediary duties (hop-by-hop fields, Via, Max-Forwards, no-transform), plus the optional
 * capabilities: persistence across a restart, forward-proxy mode and a PURGE method.
 */
public final class IntermediaryTests extends Dsl {
    public IntermediaryTests() {
        hopByHop();
        via();
        persistence();
        forwardProxy();
        purge();
    }

    private void hopByHop() {
        test("hop-response-connection-listed", "rfc9110#section-7.6.1", MUST,
                "A response field named in Connection is not forwarded",
                "RFC 9110 §7.6.1: intermediaries MUST remove fields listed in Connection before forwarding.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("no-store").header("Connection", "X-Hop").header("X-Hop", "secret").body("ok"));
                    ctx.expectAbsent(ctx.get(), "X-Hop");
                });
        test("hop-response-connection-listed-hit", "rfc9111#section-3.1", MUST,
                "A Connection-listed response field is not replayed from cache",
                "RFC 9111 §3.1 and RFC 9110 §7.6.1: hop-by-hop fields are removed before forwarding, stored or not.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("max-age=3600").header("Connection", "X-Hop").header("X-Hop", "secret")
                            .body("#" + r.sequence()));
                    ctx.get();
                    Response b = ctx.get();
                    ctx.requireCount(1, "the response was not reused");
                    ctx.expectAbsent(b, "X-Hop");
                });
        test("hop-response-connection-two-listed", "rfc9110#section-7.6.1", MUST,
                "Every field named in a response's Connection is removed",
                "RFC 9110 §7.6.1: remove each field named by a connection-option.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("no-store").header("Connection", "X-Hop-A, X-Hop-B").header("X-Hop-A", "1")
                            .header("X-Hop-B", "2").body("ok"));
                    Response a = ctx.get();
                    ctx.expectAbsent(a, "X-Hop-A");
                    ctx.expectAbsent(a, "X-Hop-B");
                });
        test("hop-request-connection-listed", "rfc9110#section-7.6.1", MUST,
                "A request field named in Connection does not reach the origin",
                "RFC 9110 §7.6.1: intermediaries MUST remove fields listed in Connection before forwarding.",
                ctx -> {
                    ctx.serve("Cache-Control", "no-store");
                    ctx.get("Connection", "X-Hop-Req", "X-Hop-Req", "secret");
                    ctx.check(!ctx.lastReceived().has("X-Hop-Req"), "the origin received X-Hop-Req");
                });
        test("hop-request-connection-tokens", "rfc9110#section-7.6.1", MUST,
                "The client's Connection options are not forwarded to the origin",
                "RFC 9110 §7.6.1: remove the Connection field itself or replace it with the intermediary's own options.",
                ctx -> {
                    ctx.serve("Cache-Control", "no-store");
                    ctx.get("Connection", "X-Hop-Req", "X-Hop-Req", "1");
                    String c = ctx.lastReceived().header("Connection");
                    ctx.check(c == null || !c.toLowerCase(Locale.ROOT).contains("x-hop-req"),
                            "the origin received Connection: " + c);
                });
        test("hop-request-keep-alive", "rfc9110#section-7.6.1", SHOULD,
                "A request Keep-Alive field is not forwarded",
                "RFC 9110 §7.6.1: intermediaries SHOULD remove Keep-Alive, Proxy-Connection, TE, Transfer-Encoding, Upgrade.",
                ctx -> {
                    ctx.serve("Cache-Control", "no-store");
                    ctx.get("Keep-Alive", "timeout=987");
                    String v = ctx.lastReceived().header("Keep-Alive");
                    ctx.check(v == null || !v.contains("987"), "the origin received Keep-Alive: " + v);
                });
        test("hop-request-proxy-connection", "rfc9110#section-7.6.1", SHOULD,
                "A request Proxy-Connection field is not forwarded",
                "RFC 9110 §7.6.1: intermediaries SHOULD remove Proxy-Connection.",
                ctx -> {
                    ctx.serve("Cache-Control", "no-store");
                    ctx.get("Proxy-Connection", "keep-alive");
                    ctx.check(!ctx.lastReceived().has("Proxy-Connection"), "the origin received Proxy-Connection");
                });
        test("hop-request-te", "rfc9110#section-7.6.1", SHOULD, "A request TE field is not forwarded as received",
                "RFC 9110 §7.6.1: intermediaries SHOULD remove TE (and may send their own).",
                ctx -> {
                    ctx.serve("Cache-Control", "no-store");
                    ctx.get("TE", "x-fancy-coding");
                    String v = ctx.lastReceived().header("TE");
                    ctx.check(v == null || !v.contains("x-fancy"), "the origin received TE: " + v);
                });
        test("hop-request-upgrade", "rfc9110#section-7.6.1", SHOULD, "A request Upgrade field is not forwarded blindly",
                "RFC 9110 §7.6.1: intermediaries SHOULD remove Upgrade unless they act on it.",
                ctx -> {
                    ctx.serve("Cache-Control", "no-store");
                    ctx.get("Upgrade", "x-proto/9", "Connection", "Upgrade");
                    String v = ctx.lastReceived().header("Upgrade");
                    ctx.check(v == null || !v.contains("x-proto"), "the origin received Upgrade: " + v);
                });
        test("hop-response-keep-alive", "rfc9110#section-7.6.1", SHOULD,
                "The origin's Keep-Alive parameters are not relayed to the client",
                "RFC 9110 §7.6.1: intermediaries SHOULD remove Keep-Alive.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("no-store").header("Keep-Alive", "timeout=987").body("ok"));
                    String v = ctx.get().header("Keep-Alive");
                    ctx.check(v == null || !v.contains("987"), "the client received Keep-Alive: " + v);
                });
        test("hop-response-proxy-connection", "rfc9110#section-7.6.1", SHOULD,
                "A response Proxy-Connection field is not relayed",
                "RFC 9110 §7.6.1: intermediaries SHOULD remove Proxy-Connection.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("no-store").header("Proxy-Connection", "x-origin").body("ok"));
                    String v = ctx.get().header("Proxy-Connection");
                    ctx.check(v == null || !v.contains("x-origin"), "the client received Proxy-Connection: " + v);
                });
        test("hop-response-upgrade", "rfc9110#section-7.6.1", SHOULD, "A response Upgrade field (on a 200) is not relayed",
                "RFC 9110 §7.6.1: intermediaries SHOULD remove Upgrade.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("no-store").header("Upgrade", "x-proto/9").body("ok"));
                    String v = ctx.get().header("Upgrade");
                    ctx.check(v == null || !v.contains("x-proto"), "the client received Upgrade: " + v);
                });
        test("hop-end-to-end-kept", "rfc9110#section-7.6.1", MUST,
                "An end-to-end response field not named in Connection is forwarded",
                "RFC 9110 §7.6: intermediaries forward end-to-end fields; only Connection-listed ones are removed.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("no-store").header("Connection", "X-Hop").header("X-Hop", "1")
                            .header("X-End-To-End", "kept").body("ok"));
                    ctx.expectHeader(ctx.get(), "X-End-To-End", "kept");
                });
        test("no-transform-content", "rfc9110#section-7.7", MUST,
                "Content marked no-transform is delivered byte for byte with its Content-Type",
                "RFC 9111 §5.2.2.6 and RFC 9110 §7.7: an intermediary MUST NOT transform the content.",
                ctx -> {
                    byte[] body = ConcurrencyTests.random(20000, 7);
                    ctx.origin(r -> Reply.ok("max-age=3600, no-transform").header("Content-Type", "image/png").body(body));
                    Response a = ctx.get();
                    ctx.check(Arrays.equals(a.body(), body), "the content was modified");
                    ctx.expectHeader(a, "Content-Type", "image/png");
                    Response b = ctx.get();
                    ctx.check(Arrays.equals(b.body(), body), "the content was modified on the second response");
                });
        test("no-transform-no-content-encoding", "rfc9110#section-7.7", MUST,
                "A no-transform response is not compressed on the way",
                "RFC 9110 §7.7: a proxy MUST NOT transform the content of a no-transform message (e.g. add gzip).",
                ctx -> {
                    ctx.origin(r -> Reply.ok("no-store, no-transform").header("Content-Type", "text/plain")
                            .body("a".repeat(20000)));
                    Response a = ctx.get("Accept-Encoding", "gzip");
                    ctx.expectAbsent(a, "Content-Encoding");
                    ctx.check(a.body().length == 20000, "the content length changed to " + a.body().length);
                });
    }

    private void via() {
        test("via-request", "rfc9110#section-7.6.3", MUST, "The forwarded request carries Via",
                "RFC 9110 §7.6.3: a proxy MUST, and an HTTP-to-HTTP gateway MUST, send Via in each inbound request.",
                ctx -> {
                    ctx.serve("Cache-Control", "no-store");
                    ctx.get();
                    ctx.check(ctx.lastReceived().has("Via"), "the origin received no Via field");
                });
        test("via-request-appends", "rfc9110#section-7.6.3", MUST, "An incoming Via is kept and appended to",
                "RFC 9110 §7.6.3: each intermediary appends its entry; earlier entries are kept in order.",
                ctx -> {
                    ctx.serve("Cache-Control", "no-store");
                    ctx.get("Via", "1.1 client-side-proxy");
                    String v = String.join(", ", ctx.lastReceived().headers("Via"));
                    ctx.check(v.startsWith("1.1 client-side-proxy") && v.length() > "1.1 client-side-proxy".length(),
                            "the origin received Via: " + v);
                });
        test("max-forwards-zero-options", "rfc9110#section-7.6.2", MUST,
                "OPTIONS with Max-Forwards: 0 is answered by the cache, not forwarded",
                "RFC 9110 §7.6.2: if the received value is zero, the intermediary MUST NOT forward the request.",
                ctx -> {
                    ctx.origin(r -> Reply.status(204).header("Allow", "GET, OPTIONS"));
                    ctx.send("OPTIONS", ctx.path(), null, "Max-Forwards", "0");
                    ctx.expectCount(0, "OPTIONS with Max-Forwards: 0 was forwarded");
                });
        test("max-forwards-decremented", "rfc9110#section-7.6.2", MUST,
                "OPTIONS with Max-Forwards: 5 reaches the origin with 4",
                "RFC 9110 §7.6.2: an intermediary MUST decrement the value by one before forwarding.",
                ctx -> {
                    ctx.origin(r -> Reply.status(204).header("Allow", "GET, OPTIONS"));
                    ctx.send("OPTIONS", ctx.path(), null, "Max-Forwards", "5");
                    ctx.require(ctx.count() == 1, "OPTIONS was not forwarded");
                    ctx.check("4".equals(ctx.lastReceived().header("Max-Forwards")),
                            "the origin received Max-Forwards: " + ctx.lastReceived().header("Max-Forwards"));
                });
        test("max-forwards-zero-trace", "rfc9110#section-7.6.2", MUST, "TRACE with Max-Forwards: 0 is not forwarded",
                "RFC 9110 §7.6.2: if the received value is zero, the intermediary MUST NOT forward the request.",
                ctx -> {
                    ctx.origin(r -> Reply.status(200).header("Content-Type", "message/http").body("trace"));
                    ctx.send("TRACE", ctx.path(), null, "Max-Forwards", "0");
                    ctx.expectCount(0, "TRACE with Max-Forwards: 0 was forwarded");
                });
    }

    private void persistence() {
        String cap = "persistence";
        testIf(cap, "persist-fresh-survives-restart", "rfc9111#section-3", MAY,
                "A fresh stored response is still reused after the cache restarts",
                "§3: storage is up to the cache; a persistent cache keeps entries across restarts.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600");
                    ctx.get();
                    ctx.restartCache();
                    Response b = ctx.get();
                    ctx.expectCount(1, "the entry did not survive the restart");
                    ctx.expectBody(b, "#1");
                });
        testIf(cap, "persist-age-continues", "rfc9111#section-4.2.3", MUST,
                "Age after a restart includes the time before it",
                "§4.2.3: resident_time counts from response_time, which a restart does not reset.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600");
                    ctx.get();
                    ctx.pause(2000);
                    ctx.restartCache();
                    Response b = ctx.get();
                    ctx.requireCount(1, "the entry did not survive the restart");
                    ctx.require(b.has("Age"), "the cache sends no Age on hits (judged by age-present-on-hit)");
                    ctx.check(seconds(b.header("Age")) >= 2, "Age after restart is " + b.header("Age") + ", expected >= 2");
                });
        testIf(cap, "persist-expiry-continues", "rfc9111#section-4.2.4", MUST,
                "An entry that expires during a restart is not served afterwards",
                "§4.2.4: a cache MUST NOT generate a stale response; a restart does not extend freshness.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=2");
                    ctx.get();
                    ctx.restartCache();
                    ctx.pause(2500);
                    Response b = ctx.get();
                    ctx.expectCount(2, "the expired entry was served after the restart");
                    ctx.expectBody(b, "#2");
                });
        testIf(cap, "persist-invalidation-survives", "rfc9111#section-4.4", MUST,
                "An entry invalidated before a restart does not come back after it",
                "§4.4: a cache MUST invalidate the target URI after an unsafe request; a restart must not undo that.",
                ctx -> {
                    ctx.origin(r -> r.method().equals("GET") ? Reply.ok("max-age=3600").body("#" + r.sequence())
                            : Reply.status(204));
                    // Control: the cache invalidates at all (without a restart).
                    String control = ctx.path("control");
                    ctx.getPath(control);
                    ctx.send("POST", control, "x");
                    ctx.getPath(control);
                    ctx.require(countFor(ctx, "/control") == 3, "the cache does not invalidate after POST even without "
                            + "a restart (judged by invalidate-post)");
                    Response a = ctx.get();
                    ctx.send("POST", ctx.path(), "x");
                    ctx.restartCache();
                    Response c = ctx.get();
                    ctx.check(!c.text().equals(a.text()), "the invalidated entry came back after the restart");
                });
    }

    private void forwardProxy() {
        String cap = "forward-proxy";
        testIf(cap, "forward-absolute-form-cached", "rfc9111#section-4", MAY,
                "A forward proxy reuses a fresh response for an absolute-form request",
                "§4: the cache key is the target URI; absolute-form carries it whole.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600");
                    ctx.sendProxy("GET", ctx.originUri(ctx.path()), null);
                    ctx.sendProxy("GET", ctx.originUri(ctx.path()), null);
                    ctx.expectCount(1, "the forward proxy did not reuse the response");
                });
        testIf(cap, "forward-origin-form-upstream", "rfc9112#section-3.2.1", MUST,
                "A forward proxy sends origin-form to the origin server",
                "RFC 9112 §3.2.1: when making a request directly to an origin server, a client MUST send origin-form.",
                ctx -> {
                    ctx.serve("Cache-Control", "no-store");
                    ctx.sendProxy("GET", ctx.originUri(ctx.path()), null);
                    ctx.check(ctx.lastReceived().target().startsWith("/"), "the origin received request-target "
                            + ctx.lastReceived().target());
                });
        testIf(cap, "forward-host-from-target", "rfc9112#section-3.2.2", MUST,
                "A forward proxy replaces a conflicting Host with the target's authority",
                "RFC 9112 §3.2.2: a proxy MUST ignore the received Host and use the host of the absolute-form target.",
                ctx -> {
                    ctx.serve("Cache-Control", "no-store");
                    ctx.sendProxy("GET", ctx.originUri(ctx.path()), null, "Host", "wrong.example");
                    ctx.require(ctx.count() == 1, "the request did not reach the origin");
                    String h = ctx.lastReceived().header("Host");
                    ctx.check(h != null && h.startsWith("127.0.0.1"), "the origin received Host: " + h);
                });
        testIf(cap, "forward-via-response", "rfc9110#section-7.6.3", MUST, "A forward proxy adds Via to responses",
                "RFC 9110 §7.6.3: a proxy MUST send an appropriate Via field in each message it forwards.",
                ctx -> {
                    ctx.serve("Cache-Control", "no-store");
                    Response a = ctx.sendProxy("GET", ctx.originUri(ctx.path()), null);
                    ctx.expectPresent(a, "Via");
                });
        testIf(cap, "forward-authority-in-key", "rfc9111#section-2", MUST,
                "Two URIs differing only in host name are different cache entries",
                "§2 and §4: the key is the target URI, whose authority includes the host name.",
                ctx -> {
                    ctx.origin(r -> Reply.ok("max-age=3600").body("host=" + r.header("Host")));
                    ctx.sendProxy("GET", ctx.originUri(ctx.path()), null);
                    Response b = ctx.sendProxy("GET", "http://localhost:" + ctx.originPort() + ctx.path(), null);
                    ctx.expectCount(2, "a response for 127.0.0.1 was used for localhost");
                    ctx.check(b.text().startsWith("host=localhost"), "got " + b.summary());
                });
        testIf(cap, "forward-proxy-authorization-consumed", "rfc9110#section-11.7.2", SHOULD,
                "Proxy-Authorization meant for the proxy is not forwarded to the origin",
                "RFC 9110 §11.7.2: Proxy-Authorization is consumed by the first inbound proxy that expects it.",
                ctx -> {
                    ctx.serve("Cache-Control", "no-store");
                    ctx.sendProxy("GET", ctx.originUri(ctx.path()), null, "Proxy-Authorization", "Basic cHJveHk6cHc=");
                    ctx.require(ctx.count() == 1, "the request did not reach the origin");
                    ctx.check(!ctx.lastReceived().has("Proxy-Authorization"), "the origin received Proxy-Authorization");
                });
    }

    private void purge() {
        String cap = "purge";
        testIf(cap, "purge-removes-entry", "rfc9111#section-4.4", INFO, "PURGE on a URI removes its stored response",
                "Not in the RFCs: the common PURGE convention (Squid, Varnish) for operator invalidation.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600");
                    ctx.get();
                    Response p = ctx.send("PURGE", ctx.path(), null);
                    ctx.check(p.status() >= 200 && p.status() < 300, "PURGE answered " + p.summary());
                    Response c = ctx.get();
                    ctx.expectCount(2, "the entry was still served after PURGE");
                    ctx.expectBody(c, "#2");
                });
        testIf(cap, "purge-not-forwarded", "rfc9111#section-4.4", INFO, "PURGE is handled by the cache, not forwarded",
                "Not in the RFCs: an operator command is not the origin's business.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600");
                    ctx.get();
                    ctx.send("PURGE", ctx.path(), null);
                    ctx.check(ctx.received().stream().noneMatch(r -> r.method().equals("PURGE")),
                            "the origin received the PURGE request");
                });
        testIf(cap, "purge-all-variants", "rfc9111#section-4.4", INFO, "PURGE removes every Vary variant",
                "Not in the RFCs: operators expect a URI purge to remove all its variants.",
                ctx -> {
                    ctx.serve("Cache-Control", "max-age=3600", "Vary", "Accept-Language");
                    ctx.get("Accept-Language", "en");
                    ctx.get("Accept-Language", "fr");
                    ctx.send("PURGE", ctx.path(), null);
                    ctx.get("Accept-Language", "en");
                    ctx.get("Accept-Language", "fr");
                    ctx.expectCount(4, "a variant survived PURGE");
                });
    }
}
