package dev.cachalot.conformance.suite;

import dev.cachalot.conformance.client.Response;
import dev.cachalot.conformance.dsl.Ctx;
import dev.cachalot.conformance.dsl.Level;
import dev.cachalot.conformance.dsl.TestBody;
import dev.cachalot.conformance.dsl.TestCase;
import dev.cachalot.conformance.origin.ScriptedOrigin;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The compact test DSL: factory methods for test cases and the recurring exchange patterns ("stored and
 * reused", "never reused", "reused only if a plain control response is"), so each test reads as its requirement.
 */
public abstract class Dsl {
    /** Section name in reports for tests built by this group. */
    protected final List<TestCase> tests = new ArrayList<>();

    /** Returns the tests of this group. */
    public List<TestCase> tests() {
        return tests;
    }

    /** Declares a test that applies to every cache. */
    protected void test(String id, String anchor, Level level, String title, String rationale, TestBody body) {
        tests.add(new TestCase(id, title, anchor, level, rationale, Set.of(), body));
    }

    /** Declares a test that applies only to caches claiming {@code capability}. */
    protected void testIf(String capability, String id, String anchor, Level level, String title, String rationale,
                          TestBody body) {
        tests.add(new TestCase(id, title, anchor, level, rationale, Set.of(capability), body));
    }

    // ---- recurring bodies -----------------------------------------------------------------------------------

    /** Two GETs {@code pauseMs} apart; the second must be served from cache (origin saw 1 request). */
    protected static TestBody reused(long pauseMs, String... responseHeaders) {
        return ctx -> {
            ctx.serve(responseHeaders);
            Response a = ctx.get();
            ctx.require(a.status() == 200, "the first request failed: " + Ctx.describe(a));
            if (pauseMs > 0) {
                ctx.pause(pauseMs);
            }
            Response b = ctx.get();
            ctx.expectCount(1, "the second request should have been served from cache");
            ctx.check(b.text().equals(a.text()), "the cached response body differs: " + Ctx.describe(b));
        };
    }

    /** Two GETs {@code pauseMs} apart; the second must reach the origin and carry its new response. */
    protected static TestBody notReused(long pauseMs, String... responseHeaders) {
        return ctx -> {
            ctx.serve(responseHeaders);
            ctx.get();
            if (pauseMs > 0) {
                ctx.pause(pauseMs);
            }
            Response b = ctx.get();
            ctx.expectCount(2, "the stored response must not be used without contacting the origin");
            ctx.check(!b.text().equals("#1"), "the second response carries the first origin response: "
                    + Ctx.describe(b));
        };
    }

    /**
     * Like {@link #reused} but fair for MUST-level "treat as fresh" rules: a control path answering
     * {@code max-age=3600} is fetched twice first; if the cache does not reuse even that, the test is inconclusive.
     */
    protected static TestBody reusedWithControl(long pauseMs, String... responseHeaders) {
        return ctx -> {
            control(ctx, pauseMs);
            ctx.serve(responseHeaders);
            String p = ctx.path();
            Response a = ctx.getPath(p);
            ctx.require(a.status() > 0, "the cache did not answer");
            if (pauseMs > 0) {
                ctx.pause(pauseMs);
            }
            ctx.getPath(p);
            int n = countFor(ctx, "/r");
            ctx.check(n == 1, "the response should still be fresh and reused, but the origin received " + n
                    + " requests for it (while a plain max-age=3600 control response was reused)");
        };
    }

    /** Fetches a control resource (max-age=3600) twice; inconclusive unless the second is a hit. */
    protected static void control(Ctx ctx, long pauseMs) throws Exception {
        ctx.origin(r -> r.localPath().startsWith("/control")
                ? dev.cachalot.conformance.origin.Reply.ok("max-age=3600").body("control")
                : dev.cachalot.conformance.origin.Reply.ok("no-store"));
        String c = ctx.path("control");
        ctx.getPath(c);
        if (pauseMs > 0) {
            ctx.pause(pauseMs);
        }
        ctx.getPath(c);
        ctx.require(countFor(ctx, "/control") == 1, "the cache did not reuse a plain Cache-Control: max-age=3600 "
                + "control response, so this rule cannot be observed");
    }

    /** Requests the origin received whose local path starts with {@code prefix}. */
    protected static int countFor(Ctx ctx, String prefix) {
        return (int) ctx.received().stream().filter(r -> r.localPath().startsWith(prefix)).count();
    }

    /** An HTTP-date {@code seconds} from now (negative for the past). */
    protected static String httpDate(long seconds) {
        return ScriptedOrigin.HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(seconds));
    }

    /** Parses a delta-seconds field (Age), or -1 when absent or invalid. */
    protected static long seconds(String v) {
        if (v == null || !v.trim().matches("[0-9]{1,10}")) {
            return -1;
        }
        return Long.parseLong(v.trim());
    }
}
