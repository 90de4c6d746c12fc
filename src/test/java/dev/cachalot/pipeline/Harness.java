package dev.cachalot.pipeline;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.RequestHead;
import dev.cachalot.metrics.ProxyMetrics;
import dev.cachalot.origin.OriginTarget;
import dev.cachalot.origin.ProxyHeaders;
import dev.cachalot.origin.TrustedProxies;
import dev.cachalot.policy.PolicyConfig;
import dev.cachalot.policy.RouteOverrides;
import dev.cachalot.server.ClientInfo;
import dev.cachalot.server.ClientRequest;
import dev.cachalot.store.CacheStore;
import dev.cachalot.store.StoreKey;
import dev.cachalot.store.StoredEntry;
import dev.cachalot.store.tier.CaffeineTier;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;

/** Wires a pipeline to a real memory store, a fake origin, a test clock and a hand-run executor. */
final class Harness {
    static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");
    static final OriginTarget ROUTE = new OriginTarget("test", "http", "127.0.0.1", 8081, null);

    /** An executor whose jobs run only when the test calls {@link #runAll()}. */
    static final class ManualExecutor implements Executor {
        final ArrayDeque<Runnable> jobs = new ArrayDeque<>();

        @Override
        public synchronized void execute(Runnable r) {
            jobs.add(r);
        }

        synchronized int pending() {
            return jobs.size();
        }

        void runAll() {
            while (true) {
                Runnable r;
                synchronized (this) {
                    r = jobs.poll();
                }
                if (r == null) {
                    return;
                }
                r.run();
            }
        }
    }

    final TestClock clock = new TestClock(T0);
    final CaffeineTier store;
    final FakeOrigin origin;
    final ManualExecutor background = new ManualExecutor();
    final CachingPipeline pipeline;
    final PolicyConfig policy = PolicyConfig.defaults();

    Harness(FakeOrigin origin) {
        this(origin, PipelineConfig.defaults());
    }

    Harness(FakeOrigin origin, PipelineConfig config) {
        this(origin, config, null);
    }

    Harness(FakeOrigin origin, PipelineConfig config, CacheStore storeOverride) {
        this(origin, config, storeOverride, new ProxyHeaders("cachalot", new TrustedProxies(List.of())));
    }

    /** A harness whose proxy header rewriting trusts the given proxies. */
    Harness(FakeOrigin origin, ProxyHeaders headers) {
        this(origin, PipelineConfig.defaults(), null, headers);
    }

    Harness(FakeOrigin origin, PipelineConfig config, CacheStore storeOverride, ProxyHeaders headers) {
        this.origin = origin;
        this.store = new CaffeineTier(64L << 20, 16L << 20, clock);
        CacheStore s = storeOverride == null ? store : storeOverride;
        this.pipeline = new CachingPipeline(s, storeOverride == null ? store : null, origin,
                headers, policy, route -> RouteOverrides.NONE,
                config, clock, ProxyMetrics.noop(), background);
    }

    static RequestHead get(String target, String... headers) {
        return request("GET", target, headers);
    }

    static RequestHead request(String method, String target, String... headers) {
        HeaderFields h = HeaderFields.builder().add("Host", "example.test").addAll(HeaderFields.of(headers)).build();
        return new RequestHead(method, "http", "example.test", target, "HTTP/1.1", h);
    }

    static ClientRequest client(RequestHead head) {
        return new ClientRequest(head, ROUTE,
                new ClientInfo("r1", "127.0.0.1", "127.0.0.1", false, "HTTP/1.1", T0, 0L), 0,
                InputStream.nullInputStream());
    }

    /** Runs one request through {@code process} on this thread. */
    RecordingSink send(RequestHead head) throws Exception {
        RecordingSink sink = new RecordingSink();
        pipeline.process(client(head), sink);
        return sink;
    }

    /** Runs one request, trying the fast path first as the front end does. */
    RecordingSink sendWithFastPath(RequestHead head) throws Exception {
        RecordingSink sink = new RecordingSink();
        if (!pipeline.tryAnswerNow(client(head), sink)) {
            pipeline.process(client(head), sink);
        }
        return sink;
    }

    Optional<StoredEntry> stored(String target) {
        StoreKey primary = StoreAdapter.primaryKey(get(target));
        for (StoreKey k : store.listVariants(primary)) {
            Optional<StoredEntry> e = store.lookup(k, clock.instant());
            if (e.isPresent()) {
                return e;
            }
        }
        return Optional.empty();
    }
}
