package dev.cachalot.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.metrics.ProxyMetrics;
import dev.cachalot.pipeline.CachingPipeline;
import dev.cachalot.pipeline.PipelineConfig;
import dev.cachalot.policy.PolicyConfig;
import dev.cachalot.policy.RouteOverrides;
import dev.cachalot.store.StoreConfig;
import dev.cachalot.store.TieredCacheStore;
import dev.cachalot.testing.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared fixture of the end-to-end forward tests that run a real client (curl, npm, mvn) through
 * the forward listener in front of the caching pipeline: a temporary directory, a tiered store, the
 * pipeline's background executor and a {@link ForwardHarness}; after each test everything is closed
 * and the harness must have seen no connection attempt off loopback.
 */
abstract class CachingForwardFixture {
    @TempDir
    Path dir;
    ForwardHarness h;
    TieredCacheStore store;
    ExecutorService background;
    /** The time of the store and the pipeline: the real time at the start, moved only by the test. */
    final MutableClock clock = new MutableClock(Instant.now());
    /** The pipeline settings; a test may replace them before {@link #open}. */
    PipelineConfig pipelineConfig = PipelineConfig.defaults();
    /** The pipeline behind the forward listener (set by {@link #startCaching}). */
    volatile CachingPipeline pipeline;

    @AfterEach
    void stop() throws Exception {
        if (h != null) {
            h.close();
            assertEquals(0, h.offLoopbackAttempts.get());
        }
        if (background != null) {
            background.shutdownNow();
        }
        if (store != null) {
            store.close();
        }
    }

    /**
     * Opens the store under {@code dir/storeDir} with the given disk limits, the background executor
     * and a harness (its origin running, the listener not yet started).
     */
    void open(String storeDir, long diskMaxBytes, long maxObjectBytes, int diskMaxEntries) throws IOException {
        store = TieredCacheStore.open(StoreConfig.builder().directory(dir.resolve(storeDir)).diskMaxBytes(diskMaxBytes)
                .maxObjectBytes(maxObjectBytes).diskMaxEntries(diskMaxEntries).build(), clock);
        background = CachingPipeline.newBackgroundExecutor(pipelineConfig);
        h = new ForwardHarness();
    }

    /**
     * Starts the forward listener with {@code config} in front of a caching pipeline over the store,
     * with the config's per-host cache rules (as {@code Cachalot.open} wires them).
     */
    void startCaching(ForwardConfig config) throws IOException {
        h.start(config, (client, headers) -> {
            pipeline = new CachingPipeline(store, store.memoryTier(), client, headers, PolicyConfig.defaults(),
                    route -> RouteOverrides.NONE, config.cacheRules(), pipelineConfig, clock, ProxyMetrics.noop(),
                    background);
            return pipeline;
        });
    }

    /**
     * Removes the *_proxy variables (any case) and those {@code alsoDrop} names from the child's
     * environment, so the client uses only the proxy the test gives it.
     */
    static ProcessBuilder withoutProxyEnvironment(ProcessBuilder pb, Predicate<String> alsoDrop) {
        pb.environment().keySet().removeIf(k -> k.toLowerCase(Locale.ROOT).endsWith("_proxy") || alsoDrop.test(k));
        return pb;
    }

    /**
     * Runs {@code pb} with stdout and stderr logged to one file under {@code dir} and asserts it
     * finished within {@code timeoutSeconds} with exit 0 (the log is the failure message).
     */
    void runLogged(ProcessBuilder pb, String name, long timeoutSeconds) throws Exception {
        Path log = dir.resolve(name + "-" + System.nanoTime() + ".log");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(timeoutSeconds, TimeUnit.SECONDS), name + " finished");
        assertEquals(0, p.exitValue(), Files.readString(log));
    }
}
