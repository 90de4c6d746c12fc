package dev.cachalot.conformance.dsl;

import dev.cachalot.conformance.client.CacheClient;
import dev.cachalot.conformance.client.Response;
import dev.cachalot.conformance.origin.RecordedRequest;
import dev.cachalot.conformance.origin.Reply;
import dev.cachalot.conformance.origin.Script;
import dev.cachalot.conformance.origin.ScriptedOrigin;
import dev.cachalot.conformance.origin.TestChannel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The world one test sees: its own URL space on the scripted origin, a client to the cache under test, the
 * origin's request count, and expectation helpers that fail with a readable reason. Every step is written to a
 * transcript shown in the reports.
 */
public final class Ctx {
    private final String prefix;
    private final TestChannel channel;
    private final ScriptedOrigin origin;
    private final CacheClient cache;
    private final CacheClient proxy;
    private final Runnable restart;
    private final List<String> transcript = Collections.synchronizedList(new ArrayList<>());
    private final long start = System.nanoTime();

    /**
     * @param testId the test id
     * @param nonce run nonce, so repeated runs against a persistent cache never see old entries
     * @param origin the scripted origin
     * @param cache client to the cache's reverse-proxy port
     * @param proxy client to the cache's forward-proxy port (may be the same)
     * @param restart restarts the cache (persistence tests), or null
     */
    public Ctx(String testId, String nonce, ScriptedOrigin origin, CacheClient cache, CacheClient proxy,
               Runnable restart) {
        this.prefix = "/t/" + testId + "/" + nonce;
        this.channel = origin.channel(testId + "/" + nonce);
        this.origin = origin;
        this.cache = cache;
        this.proxy = proxy;
        this.restart = restart;
    }

    // ---- URL space and origin -------------------------------------------------------------------------------

    /** The test's main resource path. */
    public String path() {
        return prefix + "/r";
    }

    /** Another path in the test's URL space; {@code suffix} starts without a slash. */
    public String path(String suffix) {
        return prefix + "/" + suffix;
    }

    /** The absolute URI of a path on the origin, as a forward proxy's client would send it. */
    public String originUri(String path) {
        return "http://127.0.0.1:" + origin.port() + path;
    }

    public int originPort() {
        return origin.port();
    }

    /** The authority clients use to reach the cache. */
    public String cacheAuthority() {
        return cache.authority();
    }

    /** Sets the origin script for this test. */
    public void origin(Script script) {
        channel.script(script);
    }

    /**
     * Sets a script answering 200 with the given header fields (name, value pairs) and the body {@code #n},
     * where n is the origin's request number for this test, so a response tells which origin reply it came from.
     */
    public void serve(String... headerPairs) {
        origin(r -> {
            Reply reply = Reply.status(200).body("#" + r.sequence());
            for (int i = 0; i < headerPairs.length; i += 2) {
                reply.header(headerPairs[i], headerPairs[i + 1]);
            }
            return reply;
        });
    }

    /** Requests the origin received for this test. */
    public int count() {
        return channel.count();
    }

    public List<RecordedRequest> received() {
        return channel.requests();
    }

    /** The last request the origin received for this test (fails the test if none). */
    public RecordedRequest lastReceived() {
        List<RecordedRequest> r = channel.requests();
        if (r.isEmpty()) {
            throw new CheckFailed("the origin received no request");
        }
        return r.get(r.size() - 1);
    }

    /** Waits (briefly) for background requests, e.g. an asynchronous revalidation, and returns the count. */
    public int awaitCount(int n, long timeoutMs) throws InterruptedException {
        return channel.awaitCount(n, timeoutMs);
    }

    /** Bytes the origin could not parse that mention this test's prefix. */
    public List<String> originFramingErrors() {
        List<String> mine = new ArrayList<>();
        for (String e : origin.framingErrors()) {
            if (e.contains(prefix)) {
                mine.add(e);
            }
        }
        return mine;
    }

    // ---- requests to the cache -----------------------------------------------------------------------------

    /** GET the main path with extra header fields (name, value pairs). */
    public Response get(String... headerPairs) throws IOException {
        return send("GET", path(), null, headerPairs);
    }

    /** GET another path of this test. */
    public Response getPath(String path, String... headerPairs) throws IOException {
        return send("GET", path, null, headerPairs);
    }

    /** Sends a request to the cache's reverse port. */
    public Response send(String method, String target, String body, String... headerPairs) throws IOException {
        return sendVia(cache, method, target, body, headerPairs);
    }

    /** Sends a request to the cache's forward-proxy port (target usually absolute-form). */
    public Response sendProxy(String method, String target, String body, String... headerPairs) throws IOException {
        return sendVia(proxy, method, target, body, headerPairs);
    }

    private Response sendVia(CacheClient c, String method, String target, String body, String... headerPairs)
            throws IOException {
        List<String[]> h = new ArrayList<>();
        for (int i = 0; i < headerPairs.length; i += 2) {
            h.add(new String[] {headerPairs[i], headerPairs[i + 1]});
        }
        int before = count();
        Response r = c.exchange(method, target, h,
                body == null ? null : body.getBytes(StandardCharsets.UTF_8));
        StringBuilder line = new StringBuilder();
        line.append(stamp()).append("→ ").append(method).append(' ').append(local(target));
        for (String[] x : h) {
            line.append(" [").append(x[0]).append(": ").append(x[1]).append(']');
        }
        line.append("  ⇐ ").append(r.summary()).append("  (origin requests: ").append(before).append(" → ")
                .append(count()).append(')');
        log(line.toString());
        return r;
    }

    /** Writes exact bytes to the cache on one connection and reads the responses that come back. */
    public List<Response> raw(String bytes, int maxResponses) throws IOException {
        return raw(bytes, maxResponses, false);
    }

    /** Like {@link #raw(String, int)} where the first request is a HEAD (its response has no content). */
    public List<Response> rawAfterHead(String bytes, int maxResponses) throws IOException {
        return raw(bytes, maxResponses, true);
    }

    /**
     * How long a raw exchange waits for more bytes before it stops reading: long enough for a cache on a loaded
     * machine to answer a pipelined second request, short because some tests end with the cache (rightly)
     * holding the connection open.
     */
    private static final int RAW_READ_TIMEOUT_MS = 5000;

    private List<Response> raw(String bytes, int maxResponses, boolean headFirst) throws IOException {
        List<Response> rs = cache.rawMany(bytes.getBytes(StandardCharsets.ISO_8859_1), maxResponses,
                RAW_READ_TIMEOUT_MS, headFirst);
        StringBuilder line = new StringBuilder(stamp()).append("→ raw ").append(bytes.length()).append(" bytes: ")
                .append(printable(bytes.replace(prefix, "…")));
        line.append("  ⇐ ");
        if (rs.isEmpty()) {
            line.append("no response (connection closed or timed out)");
        }
        for (Response r : rs) {
            line.append(r.summary()).append("; ");
        }
        line.append(" (origin requests: ").append(count()).append(')');
        log(line.toString());
        return rs;
    }

    /** Pauses so that time passes for freshness (only black-box tests pause). */
    public void pause(long ms) throws InterruptedException {
        log(stamp() + "… wait " + ms + " ms");
        Thread.sleep(ms);
    }

    /** Restarts the cache through the runner's restart command. */
    public void restartCache() {
        if (restart == null) {
            throw new PreconditionFailed("no restart command given");
        }
        log(stamp() + "↻ restart cache");
        restart.run();
    }

    public void log(String line) {
        transcript.add(line);
    }

    public List<String> transcript() {
        synchronized (transcript) {
            return new ArrayList<>(transcript);
        }
    }

    private String stamp() {
        return String.format("%5.1fs ", (System.nanoTime() - start) / 1e9);
    }

    private String local(String target) {
        String t = target.replace(prefix, "");
        return t.isEmpty() ? "/" : t;
    }

    private static String printable(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c < 32 || c == 127) {
                sb.append(String.format("\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.length() > 300 ? sb.substring(0, 300) + "…" : sb.toString();
    }

    // ---- expectations --------------------------------------------------------------------------------------

    /** Fails the test with {@code reason} unless {@code ok}. */
    public void check(boolean ok, String reason) {
        if (!ok) {
            throw new CheckFailed(reason);
        }
    }

    /** Marks the test inconclusive unless {@code ok} (the stage the requirement needs was not set). */
    public void require(boolean ok, String reason) {
        if (!ok) {
            throw new PreconditionFailed(reason);
        }
    }

    /** Expects the origin to have received exactly {@code n} requests for this test. */
    public void expectCount(int n, String meaning) {
        int c = count();
        check(c == n, meaning + ": expected the origin to receive " + n + " request(s), it received " + c);
    }

    /** Precondition: the origin received exactly {@code n} requests (else the cache did not store: inconclusive). */
    public void requireCount(int n, String meaning) {
        int c = count();
        require(c == n, meaning + " (origin received " + c + " requests, expected " + n + ")");
    }

    public void expectStatus(Response r, int status) {
        check(r.status() == status, "expected status " + status + ", got " + describe(r));
    }

    public void expectBody(Response r, String body) {
        check(r.text().equals(body), "expected body \"" + body + "\", got " + describe(r));
    }

    public void expectHeader(Response r, String name, String value) {
        String v = r.joined(name);
        check(Objects.equals(v, value), "expected " + name + ": " + value + ", got "
                + (v == null ? "no " + name : name + ": " + v));
    }

    public void expectAbsent(Response r, String name) {
        String v = r.joined(name);
        check(v == null, "expected no " + name + " field, got " + name + ": " + v);
    }

    public void expectPresent(Response r, String name) {
        check(r.has(name), "expected a " + name + " field in the response, there is none");
    }

    /** A short description of a response for failure reasons. */
    public static String describe(Response r) {
        return r.summary();
    }
}
