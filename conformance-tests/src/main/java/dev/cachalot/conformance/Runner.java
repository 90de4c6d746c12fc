package dev.cachalot.conformance;

import dev.cachalot.conformance.client.CacheClient;
import dev.cachalot.conformance.dsl.CheckFailed;
import dev.cachalot.conformance.dsl.Ctx;
import dev.cachalot.conformance.dsl.Outcome;
import dev.cachalot.conformance.dsl.PreconditionFailed;
import dev.cachalot.conformance.dsl.TestCase;
import dev.cachalot.conformance.dsl.TestResult;
import dev.cachalot.conformance.origin.ScriptedOrigin;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * Runs conformance tests against one cache: starts the scripted origin, runs the applicable tests in parallel
 * (each in its own URL space), runs the tests that restart the cache one after another at the end, and
 * collects one {@link TestResult} per test.
 */
public final class Runner {
    /** Capability every cache has: it forwards reverse-proxy requests to the suite's origin. */
    public static final String REVERSE = "reverse";
    /** Capability: tests that restart the cache (needs a restart command as well). */
    public static final String PERSISTENCE = "persistence";
    /** Extra time a persistence test gets for restarting the cache. */
    static final long RESTART_ALLOWANCE_MS = 150_000;

    /**
     * How to run.
     *
     * @param name label for reports
     * @param cacheHost host of the cache's reverse port
     * @param cachePort reverse port
     * @param proxyHost host of the forward-proxy port
     * @param proxyPort forward-proxy port
     * @param capabilities claimed capabilities
     * @param only regular expression selecting test ids (null: all)
     * @param restartCommand shell command restarting the cache, or null
     * @param threads parallel tests
     * @param testTimeoutMs per-test time limit
     */
    public record Config(String name, String cacheHost, int cachePort, String proxyHost, int proxyPort,
                         Set<String> capabilities, String only, String restartCommand, int threads,
                         long testTimeoutMs) {
    }

    private final ScriptedOrigin origin;
    private final Config config;
    private final KnownDeviations deviations;
    private final String nonce;
    private Runnable restartHook;

    public Runner(ScriptedOrigin origin, Config config, KnownDeviations deviations) {
        this.origin = origin;
        this.config = config;
        this.deviations = deviations;
        byte[] b = new byte[4];
        new SecureRandom().nextBytes(b);
        this.nonce = String.format("%08x", java.nio.ByteBuffer.wrap(b).getInt());
    }

    /**
     * Restarts the cache with this hook instead of the configured shell command (used by the JUnit run that owns
     * the cache process); the hook returns once the cache accepts connections again.
     */
    public Runner withRestartHook(Runnable hook) {
        this.restartHook = hook;
        return this;
    }

    /** Runs the tests and returns the report. */
    public RunReport run(List<TestCase> tests) throws InterruptedException {
        long start = System.nanoTime();
        String startedAt = Instant.now().toString();
        Pattern only = config.only() == null ? null : Pattern.compile(config.only());
        List<TestCase> selected = new ArrayList<>();
        for (TestCase t : tests) {
            if (only == null || only.matcher(t.id()).find()) {
                selected.add(t);
            }
        }
        warmUp();
        TestResult[] results = new TestResult[selected.size()];
        List<Integer> serial = new ArrayList<>();
        List<Future<TestResult>> futures = new ArrayList<>();
        List<Integer> futureIndex = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(config.threads(), r -> {
            Thread t = new Thread(r, "test");
            t.setDaemon(true);
            return t;
        });
        try {
            for (int i = 0; i < selected.size(); i++) {
                TestCase t = selected.get(i);
                String missing = missingCapability(t);
                if (missing != null) {
                    results[i] = notApplicable(t, missing);
                } else if (t.capabilities().contains(PERSISTENCE)) {
                    serial.add(i);
                } else {
                    futures.add(pool.submit(() -> runOne(t)));
                    futureIndex.add(i);
                }
            }
            for (int k = 0; k < futures.size(); k++) {
                int i = futureIndex.get(k);
                results[i] = await(selected.get(i), futures.get(k));
            }
            for (int i : serial) {
                TestCase t = selected.get(i);
                results[i] = await(t, pool.submit(() -> runOne(t)));
            }
        } finally {
            pool.shutdownNow();
        }
        List<String> caps = new ArrayList<>(new TreeSet<>(config.capabilities()));
        return new RunReport(config.name(), "http://" + config.cacheHost() + ":" + config.cachePort(), startedAt,
                (System.nanoTime() - start) / 1_000_000, caps, List.of(results));
    }

    /**
     * Sends uncacheable requests through the cache until one succeeds (at most 10 s), so a cache's first
     * connection to the origin (name resolution, peer probing) is not charged to whichever test runs first.
     */
    private void warmUp() throws InterruptedException {
        dev.cachalot.conformance.origin.TestChannel ch = origin.channel("warmup/" + nonce);
        ch.script(r -> dev.cachalot.conformance.origin.Reply.ok("no-store").body("warm"));
        CacheClient c = new CacheClient(config.cacheHost(), config.cachePort(), 5_000);
        long end = System.nanoTime() + 10_000_000_000L;
        for (int i = 0; System.nanoTime() < end; i++) {
            try {
                int status = c.exchange("GET", "/t/warmup/" + nonce + "/" + i, List.of(), null).status();
                if (status >= 200 && status < 500) {
                    return;
                }
            } catch (IOException e) {
                // not ready yet
            }
            Thread.sleep(200);
        }
    }

    private String missingCapability(TestCase t) {
        for (String c : t.capabilities()) {
            if (!config.capabilities().contains(c)) {
                return "the cache does not claim the '" + c + "' capability";
            }
        }
        if (t.capabilities().contains(PERSISTENCE) && config.restartCommand() == null && restartHook == null) {
            return "no --restart-cmd given";
        }
        return null;
    }

    private TestResult await(TestCase t, Future<TestResult> f) throws InterruptedException {
        // A persistence test restarts the cache, which may take long on a loaded machine (a JVM cache
        // reopening its disk files): the restart gets its own allowance on top of the test's limit.
        long limit = config.testTimeoutMs() + (t.capabilities().contains(PERSISTENCE) ? RESTART_ALLOWANCE_MS : 0);
        try {
            return f.get(limit, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            return result(t, Outcome.FAIL, "the test did not finish within " + limit
                    + " ms (the cache stalled)", 0, List.of());
        } catch (ExecutionException e) {
            return result(t, Outcome.FAIL, "runner error: " + e.getCause(), 0, List.of());
        }
    }

    private TestResult runOne(TestCase t) {
        CacheClient cache = new CacheClient(config.cacheHost(), config.cachePort(), 10_000);
        CacheClient proxy = new CacheClient(config.proxyHost(), config.proxyPort(), 10_000);
        Runnable restart = restartHook != null ? restartHook : config.restartCommand() == null ? null : this::restart;
        Ctx ctx = new Ctx(t.id(), nonce, origin, cache, proxy, restart);
        long s = System.nanoTime();
        Outcome outcome;
        String reason;
        try {
            t.body().run(ctx);
            outcome = Outcome.PASS;
            reason = "";
        } catch (CheckFailed e) {
            outcome = Outcome.FAIL;
            reason = e.getMessage();
        } catch (PreconditionFailed e) {
            outcome = Outcome.INCONCLUSIVE;
            reason = "precondition not met: " + e.getMessage();
        } catch (IOException e) {
            outcome = Outcome.FAIL;
            reason = "I/O error talking to the cache: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = Outcome.FAIL;
            reason = "interrupted";
        } catch (Exception e) {
            outcome = Outcome.FAIL;
            reason = "unexpected error: " + e;
        }
        return result(t, outcome, reason, (System.nanoTime() - s) / 1_000_000, ctx.transcript());
    }

    private void restart() {
        try {
            Process p = new ProcessBuilder("sh", "-c", config.restartCommand()).inheritIO().start();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new PreconditionFailed("restart command failed: " + config.restartCommand());
            }
            // Wait until the cache accepts connections again.
            long end = System.nanoTime() + 30_000_000_000L;
            while (System.nanoTime() < end) {
                try {
                    new java.net.Socket(config.cacheHost(), config.cachePort()).close();
                    return;
                } catch (IOException e) {
                    Thread.sleep(100);
                }
            }
            throw new PreconditionFailed("the cache did not accept connections within 30 s of the restart");
        } catch (IOException e) {
            throw new PreconditionFailed("restart command failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PreconditionFailed("interrupted during restart");
        }
    }

    private TestResult notApplicable(TestCase t, String why) {
        return result(t, Outcome.NOT_APPLICABLE, why, 0, List.of());
    }

    private TestResult result(TestCase t, Outcome o, String reason, long ms, List<String> transcript) {
        return new TestResult(t.id(), t.title(), t.anchor(), t.level(), t.rationale(), o, reason,
                deviations.reason(t.id()), ms, transcript);
    }
}
