package dev.cachalot.pipeline;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.HttpDates;
import dev.cachalot.http.Methods;
import dev.cachalot.http.RequestHead;
import dev.cachalot.http.ResponseHead;
import dev.cachalot.http.StatusCodes;
import dev.cachalot.metrics.ProxyMetrics;
import dev.cachalot.origin.OriginClient;
import dev.cachalot.origin.OriginException;
import dev.cachalot.origin.OriginResponse;
import dev.cachalot.origin.OriginTarget;
import dev.cachalot.origin.ProxyHeaders;
import dev.cachalot.origin.RequestBody;
import dev.cachalot.pipeline.RequestCoalescer.Flight;
import dev.cachalot.pipeline.RequestCoalescer.Join;
import dev.cachalot.pipeline.RequestCoalescer.Result;
import dev.cachalot.policy.AgeCalculator;
import dev.cachalot.policy.CacheDecision;
import dev.cachalot.policy.CacheStatus;
import dev.cachalot.policy.ClientConditionals;
import dev.cachalot.policy.ConditionalRequests;
import dev.cachalot.policy.DeltaSeconds;
import dev.cachalot.policy.ForwardReason;
import dev.cachalot.policy.Freshness;
import dev.cachalot.policy.HeaderMerge;
import dev.cachalot.policy.Invalidation;
import dev.cachalot.policy.NotStoredReason;
import dev.cachalot.policy.OriginFailure;
import dev.cachalot.policy.PolicyConfig;
import dev.cachalot.policy.RangePlan;
import dev.cachalot.policy.RangePlanner;
import dev.cachalot.policy.RequestRules;
import dev.cachalot.policy.ResponseShaper;
import dev.cachalot.policy.ReusePolicy;
import dev.cachalot.policy.RouteOverrides;
import dev.cachalot.policy.StaleOnError;
import dev.cachalot.policy.StoreDecision;
import dev.cachalot.policy.StorePolicy;
import dev.cachalot.policy.StoredResponse;
import dev.cachalot.policy.VariantPlan;
import dev.cachalot.policy.VaryNormalizer;
import dev.cachalot.server.ClientRequest;
import dev.cachalot.server.PreparedHead;
import dev.cachalot.server.RequestProcessor;
import dev.cachalot.server.ResponseSink;
import dev.cachalot.store.CacheStore;
import dev.cachalot.store.CommitResult;
import dev.cachalot.store.EntryHead;
import dev.cachalot.store.EntryWriter;
import dev.cachalot.store.StoreKey;
import dev.cachalot.store.StoreTier;
import dev.cachalot.store.StoredEntry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The caching request pipeline: the one place that sequences lookup, decide, fetch, store and
 * deliver (docs/pipeline.md has the state machine). Every rule comes from the policy ring
 * ({@link ReusePolicy}, {@link StorePolicy}, {@link ConditionalRequests}, {@link HeaderMerge},
 * {@link StaleOnError}, {@link ClientConditionals}, {@link RangePlanner}, {@link Invalidation},
 * {@link ResponseShaper}); this class only does the I/O those decisions imply, with the time taken
 * from the given {@link InstantSource}.
 *
 * <p>States of one request: LOOKUP (variants of the primary key) → DECIDE → one of HIT (deliver
 * stored), STALE (deliver stored, maybe trigger a background revalidation), GATEWAY_TIMEOUT (504),
 * or FETCH (origin; collapsed through {@link RequestCoalescer} when the answer may be shared) →
 * STORE-AND-STREAM / MERGE-304 / STALE-ON-ERROR / PASS → DELIVER.
 */
public final class CachingPipeline implements RequestProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(CachingPipeline.class);
    private static final int COPY_BUFFER = 16 * 1024;
    /** Re-runs of the state machine for one request after LookAgain (then it stops collapsing). */
    private static final int MAX_ATTEMPTS = 3;

    private final CacheStore store;
    private final CacheStore memory;
    private final OriginClient origin;
    private final ProxyHeaders proxyHeaders;
    private final PolicyConfig policy;
    private final Function<String, RouteOverrides> overridesByRoute;
    private final RequestRules rules;
    private final PipelineConfig config;
    private final InstantSource clock;
    private final ProxyMetrics metrics;
    private final StoreAdapter adapter;
    private final StoredViews views = new StoredViews(16_384);
    private final RequestCoalescer coalescer;
    private final BackgroundRevalidator revalidator;
    private final PurgeGate purgeGate;
    private final AtomicLong lagged = new AtomicLong();
    private final AtomicLong hitForMissPasses = new AtomicLong();
    private final AtomicLong truncated = new AtomicLong();
    private final AtomicLong rangesFromFill = new AtomicLong();
    private final AtomicLong rangesBesideFill = new AtomicLong();
    private final AtomicLong boundaries = new AtomicLong(System.nanoTime());
    private final OriginAdmission admission;

    /**
     * Creates the pipeline.
     *
     * @param store            the cache store (all tiers)
     * @param memoryOnly       the view of the store the I/O-thread fast path reads (its memory tier, or the
     *                         whole store when small disk hits may be answered there too:
     *                         TieredCacheStore.ioThreadStore()); null disables the fast path
     * @param origin           the origin client
     * @param proxyHeaders     the hop-by-hop / Via / forwarding rewriting shared with the pass-through proxy
     * @param policy           the policy configuration
     * @param overridesByRoute the route overrides by route name (unknown routes: {@link RouteOverrides#NONE})
     * @param config           the pipeline settings
     * @param clock            the time source; every {@code now} handed to policy and store comes from it
     * @param metrics          the metrics sink (origin exchanges are reported here)
     * @param background       where background revalidations run (see {@link #newBackgroundExecutor})
     */
    public CachingPipeline(CacheStore store, CacheStore memoryOnly, OriginClient origin, ProxyHeaders proxyHeaders,
                           PolicyConfig policy, Function<String, RouteOverrides> overridesByRoute,
                           PipelineConfig config, InstantSource clock, ProxyMetrics metrics, Executor background) {
        this(store, memoryOnly, origin, proxyHeaders, policy, overridesByRoute, RequestRules.NONE, config, clock,
                metrics, background, OriginAdmission.ALL, PurgeGate.NONE);
    }

    /**
     * Creates the pipeline with an admission seam asked once per request before it needs the origin
     * (rate limits that exempt cache hits) and a purge gate: every looked-up entry and every committed
     * fill is checked against the purges it records (bans by tag, prefix, host; recent URL purges);
     * the other parameters as above.
     */
    public CachingPipeline(CacheStore store, CacheStore memoryOnly, OriginClient origin, ProxyHeaders proxyHeaders,
                           PolicyConfig policy, Function<String, RouteOverrides> overridesByRoute,
                           PipelineConfig config, InstantSource clock, ProxyMetrics metrics, Executor background,
                           OriginAdmission admission, PurgeGate purgeGate) {
        this(store, memoryOnly, origin, proxyHeaders, policy, overridesByRoute, RequestRules.NONE, config, clock,
                metrics, background, admission, purgeGate);
    }

    /**
     * Creates the pipeline with per-request rules (the forward proxy's per-host rules): when
     * {@code rules} treat a request, their overrides replace the route's and their key (if any)
     * replaces the request's primary key; the key rewrite is reported in every Cache-Status detail.
     */
    public CachingPipeline(CacheStore store, CacheStore memoryOnly, OriginClient origin, ProxyHeaders proxyHeaders,
                           PolicyConfig policy, Function<String, RouteOverrides> overridesByRoute, RequestRules rules,
                           PipelineConfig config, InstantSource clock, ProxyMetrics metrics, Executor background) {
        this(store, memoryOnly, origin, proxyHeaders, policy, overridesByRoute, rules, config, clock, metrics,
                background, OriginAdmission.ALL, PurgeGate.NONE);
    }

    /** Creates the pipeline with every seam: per-request rules, origin admission and the purge gate. */
    public CachingPipeline(CacheStore store, CacheStore memoryOnly, OriginClient origin, ProxyHeaders proxyHeaders,
                           PolicyConfig policy, Function<String, RouteOverrides> overridesByRoute, RequestRules rules,
                           PipelineConfig config, InstantSource clock, ProxyMetrics metrics, Executor background,
                           OriginAdmission admission, PurgeGate purgeGate) {
        this.rules = rules;
        this.admission = admission;
        this.purgeGate = purgeGate;
        this.store = store;
        this.memory = memoryOnly;
        this.origin = origin;
        this.proxyHeaders = proxyHeaders;
        this.policy = policy;
        this.overridesByRoute = overridesByRoute;
        this.config = config;
        this.clock = clock;
        this.metrics = metrics;
        this.adapter = new StoreAdapter(policy, config.keepWindow());
        this.coalescer = new RequestCoalescer(clock, config.collapseWait(), config.hitForMissTtl());
        this.revalidator = new BackgroundRevalidator(background);
    }

    /**
     * A bounded pool for background revalidations: {@code pipeline.revalidationThreads} daemon
     * threads and a queue of 1024 jobs (beyond that a revalidation is skipped; the next stale hit
     * triggers it again).
     */
    public static ExecutorService newBackgroundExecutor(PipelineConfig config) {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(config.revalidationThreads(), config.revalidationThreads(), 60, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(1024), r -> {
                    Thread t = new Thread(r, "cachalot-revalidate-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    /** Counters of collapsing, hit-for-miss, truncation and background work. */
    public PipelineStats stats() {
        return new PipelineStats(coalescer.inFlight(), coalescer.followersJoined(), coalescer.followerTimeouts(),
                lagged.get(), hitForMissPasses.get(), truncated.get(), revalidator.started(), revalidator.skipped(),
                rangesFromFill.get(), rangesBesideFill.get());
    }

    // ---------------------------------------------------------------------------------------------
    // Entry points

    /**
     * The I/O-thread fast path: a fresh hit in the memory tier whose body is in memory, for a GET
     * (or a HEAD, answered with the head only) that policy answers with a plain
     * {@link CacheDecision.Serve}, sent with {@link ResponseSink#sendComplete} /
     * {@link ResponseSink#sendHeadOnly} without a thread hop. Everything else returns false.
     */
    @Override
    public boolean tryAnswerNow(ClientRequest request, ResponseSink sink) {
        if (memory == null || !(request.head().isMethod("GET") || request.head().isMethod("HEAD"))
                || request.hasBody()) {
            return false;
        }
        Exchange x = null;
        boolean answered = false;
        try {
            x = new Exchange(request, sink, true);
            if (!lookupVariants(memory, x, true) || x.variantCount() == 0) {
                return false;
            }
            CacheDecision d = ReusePolicy.decide(x.head, x.responses(), x.now, policy, x.overrides);
            if (!(d instanceof CacheDecision.Serve)) {
                return false;
            }
            CacheDecision.Serve s = (CacheDecision.Serve) d;
            Variant v = x.variantOf(s.entry());
            answered = deliverStored(x, v.entry, s.entry(), s.entry().head(), hitStatus(v, s), s.age(), false, true);
            if (answered && x.treatment != null) {
                rules.applied(x.treatment);
            }
            return answered;
        } catch (IOException | RuntimeException e) {
            LOG.debug("fast path declined: {}", e.toString());
            return false;
        } finally {
            if (!answered && x != null) {
                x.release(); // the worker looks up again; do not keep disk bodies leased meanwhile
            }
        }
    }

    /** The Cache-Status entry of a fresh hit ({@link CacheStatus#hit}), shared with the last hit on the variant's version when equal. */
    private CacheStatus hitStatus(Variant v, CacheDecision.Serve s) {
        return StoredViews.hitStatus(v.response == s.entry() ? v.cached : null, policy.cacheName(), s.ttl(),
                s.detail());
    }

    @Override
    public void process(ClientRequest request, ResponseSink sink) throws IOException {
        Exchange x = new Exchange(request, sink, false);
        if (x.treatment != null) {
            rules.applied(x.treatment); // once per request: the fast path counts only what it answered
        }
        run(x, true, 0);
    }

    // ---------------------------------------------------------------------------------------------
    // LOOKUP and DECIDE

    /**
     * One stored variant: its key, the store entry and the policy view of it; {@code cached} is the
     * views cache's entry the view came from (the hit path finds the head template there without a
     * second lookup), or null.
     */
    private record Variant(StoreKey key, StoredEntry entry, StoredResponse response, StoredViews.View cached) {}

    /** The per-request state that flows through the machine. */
    private final class Exchange implements AutoCloseable {
        final ClientRequest request;
        final ResponseSink sink;
        final RequestHead head;
        final RouteOverrides overrides;
        final StoreKey primary;
        /** The admission seam has let this request through (it is asked once per request). */
        boolean admitted;
        /** The Cache-Status detail of a rewritten primary key (RequestRules), or null. */
        final String keyDetail;
        /** What the per-request rules made of this request, or null when none applied. */
        final RequestRules.Treatment treatment;
        Instant now;
        /**
         * The looked-up variants ({@link #variants()}): the one found, held without a list (the usual
         * URL: no list is made for it unless someone asks for one), or null with {@link #variants}
         * holding them all.
         */
        private Variant only;
        private List<Variant> variants = List.of();
        /**
         * Entries looked up for this exchange whose bodies stay held until the response is done (disk
         * leases, memory views of mapped chunks): the first one (the usual hit holds one), then any
         * others; guarded by this.
         */
        private StoredEntry heldFirst;
        private List<StoredEntry> heldMore;
        private boolean releaseRegistered;

        /** @param ioThread made by the I/O-thread fast path (keys come from the thread's memo) */
        Exchange(ClientRequest request, ResponseSink sink, boolean ioThread) {
            this.request = request;
            this.sink = sink;
            this.head = request.head();
            RequestRules.Treatment t = rules.treat(request.route().route(), head);
            this.treatment = t;
            RouteOverrides o = t != null ? t.overrides() : overridesByRoute.apply(request.route().route());
            this.overrides = o == null ? RouteOverrides.NONE : o;
            boolean rewritten = t != null && t.key() != null;
            this.primary = rewritten ? StoreAdapter.primaryKey(t.key())
                    : ioThread ? StoreAdapter.primaryKeyRemembered(head) : StoreAdapter.primaryKey(head);
            this.keyDetail = rewritten ? t.keyDetail() : null;
            this.now = clock.instant();
        }

        /** Records what a lookup found: every variant ({@code all}), or only {@code first} when {@code all} is null. */
        void found(Variant first, List<Variant> all) {
            only = all == null ? first : null;
            variants = all != null ? all : first == null ? List.of() : null;
        }

        /** Every looked-up variant. */
        List<Variant> variants() {
            if (only != null) {
                variants = List.of(only);
                only = null;
            }
            return variants;
        }

        /** Number of looked-up variants. */
        int variantCount() {
            return only != null ? 1 : variants.size();
        }

        List<StoredResponse> responses() {
            if (only != null || variants.size() == 1) {
                Variant v = only != null ? only : variants.get(0);
                return StoredViews.responses(v.cached, v.response);
            }
            List<StoredResponse> out = new ArrayList<>(variants.size());
            for (Variant v : variants) {
                out.add(v.response);
            }
            return out;
        }

        Variant variantOf(StoredResponse r) {
            if (only != null && only.response == r) {
                return only;
            }
            for (int i = 0, n = only != null ? 0 : variants.size(); i < n; i++) {
                Variant v = variants.get(i);
                if (v.response == r) {
                    return v;
                }
            }
            throw new IllegalStateException("policy returned a response that was not offered");
        }

        OriginTarget route() {
            return request.route();
        }

        /** The views cache's entry of the variant looked up as {@code entry}, or null. */
        StoredViews.View cachedView(StoredEntry entry) {
            if (only != null) {
                return only.entry == entry ? only.cached : null;
            }
            List<Variant> vs = variants;
            for (int i = 0, n = vs == null ? 0 : vs.size(); i < n; i++) {
                Variant v = vs.get(i);
                if (v.entry == entry) {
                    return v.cached;
                }
            }
            return null;
        }

        boolean isHead() {
            return head.isMethod("HEAD");
        }

        /**
         * Keeps a looked-up entry until the response is done: a disk entry may lease its body (a view
         * of the mapped file that the response writes without copying), released by
         * {@link #release()} from the sink once the write completed or failed. Memory entries hold no
         * lease and are not tracked (no allocation on the memory hit path).
         */
        void hold(StoredEntry e) {
            if (e.tier() == StoreTier.MEMORY) {
                return;
            }
            boolean register;
            synchronized (this) {
                register = !releaseRegistered;
                releaseRegistered = true;
                if (heldFirst == null) {
                    heldFirst = e;
                } else {
                    if (heldMore == null) {
                        heldMore = new ArrayList<>(2);
                    }
                    heldMore.add(e);
                }
            }
            if (register) {
                sink.releaseAfterResponse(this); // the exchange itself: no closure per request
            }
        }

        /** {@link #release()}: what the sink calls once the response is done. */
        @Override
        public void close() {
            release();
        }

        /** Releases every entry held so far (idempotent: each entry's close is). */
        void release() {
            StoredEntry first;
            List<StoredEntry> more;
            synchronized (this) {
                first = heldFirst;
                more = heldMore;
                heldFirst = null;
                heldMore = null;
            }
            if (first != null) {
                first.close();
            }
            if (more != null) {
                for (StoredEntry e : more) {
                    e.close();
                }
            }
        }
    }

    /**
     * Every retained variant of the primary key that no purge covers; a store failure is a miss
     * (the store never throws). An entry a hard purge covers is removed and left out; one a soft
     * purge covers is offered with its stale view. On the I/O thread ({@code nonBlocking}) nothing
     * is removed: false is returned when any entry is covered, so the worker path handles it. What
     * was found is recorded in {@code x} ({@link Exchange#found}).
     */
    private boolean lookupVariants(CacheStore s, Exchange x, boolean nonBlocking) {
        StoreKey primary = x.primary;
        Instant now = x.now;
        RouteOverrides overrides = x.overrides;
        List<StoreKey> keys = s.listVariants(primary);
        x.found(null, List.of());
        if (keys.isEmpty()) {
            return true;
        }
        // One variant (the usual URL) is kept without a list; a list is made once there is a second.
        Variant first = null;
        List<Variant> out = null;
        for (int i = 0; i < keys.size(); i++) { // by index: no iterator per hit
            StoreKey k = keys.get(i);
            StoredEntry entry = s.get(k, now);
            if (entry != null) {
                x.hold(entry);
                StoredViews.View cached = views.lookup(entry);
                StoredResponse view = StoredViews.response(cached);
                PurgeGate.Verdict verdict = purgeGate.check(entry, view, overrides);
                if (verdict != PurgeGate.Verdict.KEEP) {
                    if (nonBlocking) {
                        return false;
                    }
                    if (verdict instanceof PurgeGate.Verdict.Stale) {
                        view = ((PurgeGate.Verdict.Stale) verdict).view();
                    } else {
                        store.remove(k);
                        continue;
                    }
                }
                Variant v = new Variant(k, entry, view, cached);
                if (first == null) {
                    first = v;
                } else {
                    if (out == null) {
                        out = new ArrayList<>(keys.size());
                        out.add(first);
                    }
                    out.add(v);
                }
            }
        }
        x.found(first, out);
        return true;
    }

    /**
     * Checks a just-committed fill against the purges made since its request was sent (a purge
     * that ran while the body was streaming): a hard one removes it again, a soft one writes the
     * stale times into its head. Returns the entry to hand to collapsed followers (empty when it
     * was removed or made stale: they look the store up again).
     */
    private Optional<StoredEntry> afterCommit(Optional<StoredEntry> stored, RouteOverrides overrides) {
        if (stored.isEmpty()) {
            return stored;
        }
        StoredEntry e = stored.get();
        PurgeGate.Verdict verdict = purgeGate.checkCommitted(e, views.view(e), overrides);
        if (verdict == PurgeGate.Verdict.KEEP) {
            return stored;
        }
        if (verdict instanceof PurgeGate.Verdict.Stale) {
            StoredResponse v = ((PurgeGate.Verdict.Stale) verdict).view();
            EntryHead h = e.head();
            store.replaceHead(e, h.withTimes(v.requestTime(), v.responseTime(), h.retainUntil()), clock.instant());
        } else {
            store.remove(e.key());
        }
        LOG.debug("fill of {} committed after a purge that covers it: {}", e.key(), verdict);
        return Optional.empty();
    }

    private CacheDecision decide(Exchange x) {
        x.now = clock.instant();
        boolean cacheable = x.head.isMethod("GET") || x.head.isMethod("HEAD");
        if (cacheable) {
            lookupVariants(store, x, false); // never false off the I/O thread
        } else {
            x.found(null, List.of());
        }
        return ReusePolicy.decide(x.head, x.responses(), x.now, policy, x.overrides);
    }

    private static boolean needsOrigin(CacheDecision d) {
        return d instanceof CacheDecision.Forward || d instanceof CacheDecision.Revalidate;
    }

    /**
     * Whether the origin answer to this decision may be shared with concurrent requests: GET misses
     * and validations of stale entries. Request-specific forwards (client no-cache, max-age,
     * preconditions, bypass, unsafe methods), range requests and HEAD are never collapsed.
     */
    private static boolean collapsible(CacheDecision d, Exchange x) {
        if (!x.head.isMethod("GET")) {
            return false;
        }
        if (x.head.headers().contains("Range")) {
            // A range request that needs the origin is forwarded as a range request on its own: it must not
            // wait behind (or stream from byte 0 of) a whole-object fill, and its 206 is not stored, so it
            // neither leads a flight nor marks the URL hit-for-miss (docs/forward-proxy.md, Range).
            return false;
        }
        ForwardReason r;
        if (d instanceof CacheDecision.Forward) {
            r = ((CacheDecision.Forward) d).reason();
        } else if (d instanceof CacheDecision.Revalidate) {
            r = ((CacheDecision.Revalidate) d).reason();
        } else {
            return false;
        }
        return r == ForwardReason.URI_MISS || r == ForwardReason.VARY_MISS || r == ForwardReason.MISS
                || r == ForwardReason.STALE;
    }

    private static ForwardReason reasonOf(CacheDecision d) {
        if (d instanceof CacheDecision.Forward) {
            return ((CacheDecision.Forward) d).reason();
        }
        if (d instanceof CacheDecision.Revalidate) {
            return ((CacheDecision.Revalidate) d).reason();
        }
        return ForwardReason.MISS;
    }

    /** The state machine proper. */
    private void run(Exchange x, boolean mayCollapse, int attempt) throws IOException {
        CacheDecision d = decide(x);
        if (needsOrigin(d) && !x.admitted) {
            // After lookup, before the origin (or a collapsed flight): cache hits never get here.
            if (!admission.admit(x.request, x.sink)) {
                return;
            }
            x.admitted = true;
        }
        if (mayCollapse && config.rangeFromFill() && needsOrigin(d) && joinsFillForRange(d, x)) {
            RangeJoin rj = rangeFromFill(x, reasonOf(d));
            if (rj == RangeJoin.ANSWERED) {
                return;
            }
            if (rj == RangeJoin.LOOK_AGAIN) {
                run(x, false, attempt + 1); // the fill was committed: answered from the store, or alone
                return;
            }
        }
        if (!needsOrigin(d) || !collapsible(d, x)) {
            execute(x, d, null);
            return;
        }
        if (!mayCollapse) {
            execute(x, d, null);
            return;
        }
        if (coalescer.isHitForMiss(x.primary)) {
            hitForMissPasses.incrementAndGet();
            execute(x, d, null);
            return;
        }
        Join j = coalescer.join(x.primary);
        if (!j.leader() && j.flight().failedAlready()) {
            // A request that arrives after the flight's body was cut off (the flight is still registered
            // while the leader finishes) is a new request, not a waiter that shares the failure.
            execute(x, d, null);
            return;
        }
        if (!j.leader()) {
            follow(x, j.flight(), reasonOf(d), attempt);
            return;
        }
        try {
            // Double check: a flight that ended between our lookup and our join may have stored it.
            d = decide(x);
            if (!needsOrigin(d) || !collapsible(d, x)) {
                coalescer.publish(j.flight(), needsOrigin(d) ? new Result.GoAlone("decision changed")
                        : new Result.LookAgain());
                coalescer.finish(j.flight());
                execute(x, d, null);
                return;
            }
            execute(x, d, j.flight());
        } finally {
            coalescer.finish(j.flight());
        }
    }

    private void execute(Exchange x, CacheDecision d, Flight flight) throws IOException {
        if (d instanceof CacheDecision.Serve) {
            CacheDecision.Serve s = (CacheDecision.Serve) d;
            Variant v = x.variantOf(s.entry());
            deliverStored(x, v.entry, s.entry(), s.entry().head(), hitStatus(v, s), s.age(), false, false);
        } else if (d instanceof CacheDecision.ServeStale) {
            CacheDecision.ServeStale s = (CacheDecision.ServeStale) d;
            Variant v = x.variantOf(s.entry());
            if (s.revalidation() != null) {
                // RFC 5861 §3: serve now, revalidate once in the background.
                List<Variant> snapshot = x.variants();
                RequestHead conditional = s.revalidation();
                revalidator.trigger(x.primary, () -> revalidateInBackground(x, conditional, s.entry(), snapshot));
            }
            deliverStored(x, v.entry, s.entry(), s.entry().head(),
                    CacheStatus.staleHit(policy.cacheName(), s.ttl(), s.detail()), s.age(), false, false);
        } else if (d instanceof CacheDecision.GatewayTimeout) {
            CacheDecision.GatewayTimeout g = (CacheDecision.GatewayTimeout) d;
            // RFC 9111 §5.2.1.7: only-if-cached and nothing usable stored.
            CacheStatus status = CacheStatus.gatewayTimeout(policy.cacheName(), g.detail());
            ResponseHead h = shape(new ResponseHead(504, HeaderFields.of("Content-Type", "text/plain; charset=utf-8")),
                    null, false, status, x);
            x.sink.outcome(status.shortStatus().name());
            byte[] body = "504 Gateway Timeout: only-if-cached and no usable stored response\n"
                    .getBytes(StandardCharsets.UTF_8);
            x.sink.sendComplete(h, ByteBuffer.wrap(body));
        } else if (d instanceof CacheDecision.Forward) {
            CacheDecision.Forward f = (CacheDecision.Forward) d;
            fetch(x, f.originRequest(), false, null, f.reason(), flight);
        } else {
            CacheDecision.Revalidate r = (CacheDecision.Revalidate) d;
            fetch(x, r.conditional(), true, r.entry(), r.reason(), flight);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // RANGE-FROM-FILL (a range request while the whole object is being fetched)

    /** What became of a range request offered to a fill in progress. */
    private enum RangeJoin {
        /** Answered from the fill (206, 200 whole, 416, or aborted when the fill failed). */
        ANSWERED,
        /** The fill ended complete before the request could read from it: look the store up again. */
        LOOK_AGAIN,
        /** No usable fill: forward the range request to the origin on its own. */
        ALONE
    }

    /**
     * Whether a range request may be answered from a whole-object fill of its URL: a GET with Range
     * whose decision is a plain miss or a validation of a stale entry (request-specific forwards such
     * as no-cache or preconditions go to the origin themselves).
     */
    private static boolean joinsFillForRange(CacheDecision d, Exchange x) {
        if (!x.head.isMethod("GET") || !x.head.headers().contains("Range")) {
            return false;
        }
        ForwardReason r = reasonOf(d);
        return r == ForwardReason.URI_MISS || r == ForwardReason.VARY_MISS || r == ForwardReason.MISS
                || r == ForwardReason.STALE;
    }

    /**
     * Answers a range request from the fill in progress for its URL, if there is one and its bytes
     * can be reached without waiting for most of the object (docs/pipeline.md): the 206 head is built
     * at once from the fill's head and announced length; the bytes are streamed as they arrive. The
     * request never leads a flight or counts as a follower, and a fill that fails after our head was
     * sent aborts our response too.
     */
    private RangeJoin rangeFromFill(Exchange x, ForwardReason reason) throws IOException {
        Flight flight = coalescer.current(x.primary);
        if (flight == null) {
            return RangeJoin.ALONE;
        }
        Result r = coalescer.await(flight); // the leader's head (bounded by collapseWait)
        if (r instanceof Result.LookAgain) {
            return RangeJoin.LOOK_AGAIN;
        }
        if (!(r instanceof Result.Streaming s)) {
            return RangeJoin.ALONE;
        }
        String boundary = "cachalot-" + Long.toHexString(boundaries.incrementAndGet());
        RangeFromFill.Answer a = RangeFromFill.plan(x.head, s, boundary, policy, x.now);
        CacheStatus status = CacheStatus.forwarded(policy.cacheName(), reason, s.originStatus(), true, null, null)
                .withCollapsed(true);
        if (a instanceof RangeFromFill.Answer.Unsatisfiable u) {
            rangesFromFill.incrementAndGet();
            ResponseHead h = shape(proxyHeaders.toClient(RangePlanner.head(s.head(), u.plan()), x.head.protocol()),
                    null, false, status, x);
            x.sink.outcome(status.shortStatus().name());
            x.sink.sendComplete(h);
            return RangeJoin.ANSWERED;
        }
        RangeBody body;
        ResponseHead head;
        if (a instanceof RangeFromFill.Answer.Ranged ranged) {
            body = ranged.body();
            head = RangePlanner.head(s.head(), ranged.plan());
        } else if (a instanceof RangeFromFill.Answer.Whole w) {
            body = w.body();
            head = RangePlanner.head(s.head(), new RangePlan.Full(w.why()));
        } else {
            LOG.debug("range request for {} not served from the fill: {}", x.primary,
                    ((RangeFromFill.Answer.Alone) a).why());
            rangesBesideFill.incrementAndGet();
            return RangeJoin.ALONE;
        }
        InFlightBody.Attachment at = s.body().attachAt(body.firstOffset(), config.rangeJoinAheadBytes());
        if (at.outcome() != InFlightBody.Join.ATTACHED) {
            if (at.outcome() == InFlightBody.Join.ENDED && !s.body().isAborted()) {
                awaitCommitted(s);
                return RangeJoin.LOOK_AGAIN;
            }
            LOG.debug("range request for {} not served from the fill: {}", x.primary, at.outcome());
            rangesBesideFill.incrementAndGet();
            return RangeJoin.ALONE;
        }
        rangesFromFill.incrementAndGet();
        ResponseHead h = shape(proxyHeaders.toClient(head, x.head.protocol()), null, false, status, x);
        x.sink.outcome(status.shortStatus().name());
        OutputStream out;
        try {
            out = x.sink.start(h, body.contentLength());
        } catch (IOException | RuntimeException e) {
            at.reader().close();
            throw e;
        }
        try {
            body.write(at.reader(), body.firstOffset(), out, offset -> {
                // Lagged behind the fan-out: the rest comes from the committed entry, or the answer is aborted.
                lagged.incrementAndGet();
                Optional<StoredEntry> entry = awaitCommitted(s);
                if (entry.isEmpty() || entry.get().bodyLength() < offset) {
                    throw new IOException("the fill was not stored; the range cannot be completed");
                }
                return entry.get().openRange(offset, entry.get().bodyLength() - offset);
            });
        } catch (IOException e) {
            // The fill was cut off (or our client left): never end a 206 as if complete.
            LOG.debug("range from the fill of {} aborted: {}", x.primary, e.toString());
            x.sink.sendError(502, "origin body cut off");
            return RangeJoin.ANSWERED;
        }
        out.close();
        return RangeJoin.ANSWERED;
    }

    // ---------------------------------------------------------------------------------------------
    // FOLLOW (collapsed waiters)

    private void follow(Exchange x, Flight flight, ForwardReason reason, int attempt) throws IOException {
        Result r = coalescer.await(flight);
        int next = attempt + 1;
        if (r instanceof Result.Streaming) {
            Result.Streaming s = (Result.Streaming) r;
            if (!s.selects(x.head)) {
                // Vary-aware: the leader's response is another variant; fetch on our own.
                run(x, false, next);
                return;
            }
            streamToFollower(x, s, reason, next);
        } else if (r instanceof Result.LookAgain) {
            run(x, next < MAX_ATTEMPTS, next);
        } else if (r instanceof Result.Failed) {
            Result.Failed f = (Result.Failed) r;
            decide(x);
            StoredResponse selected = ReusePolicy.select(x.responses(), x.head);
            if (!serveStaleOnError(x, selected, failureOf(f.error()), reason, 0)) {
                x.sink.outcome("ERROR");
                x.sink.sendError(f.error().kind().status(), f.error().kind().message(), f.error().responseFields());
            }
        } else {
            run(x, false, next);
        }
    }

    private void streamToFollower(Exchange x, Result.Streaming s, ForwardReason reason, int attempt)
            throws IOException {
        InputStream in = x.isHead() ? null : s.body().attach();
        if (!x.isHead() && in == null && s.body().isAborted()) {
            // The shared fetch was cut off before we attached: share the failure (no herd on a failing origin).
            x.sink.outcome("ERROR");
            x.sink.sendError(502, "origin body cut off");
            return;
        }
        if (!x.isHead() && in == null) {
            // Joined too late to start from byte 0: wait for the stored entry, then look it up.
            awaitCommitted(s);
            run(x, attempt < MAX_ATTEMPTS, attempt);
            return;
        }
        CacheStatus status = CacheStatus.forwarded(policy.cacheName(), reason, s.originStatus(), true, null, null)
                .withCollapsed(true);
        ResponseHead h = shape(proxyHeaders.toClient(s.head(), x.head.protocol()), null, false, status, x);
        x.sink.outcome(status.shortStatus().name());
        if (in == null) {
            // HEAD: the head of the shared GET response, without a body (RFC 9110 §9.3.2).
            x.sink.sendHeadOnly(s.contentLength() < 0 ? h
                    : h.withHeaders(h.headers().with("Content-Length", Long.toString(s.contentLength()))));
            return;
        }
        OutputStream out = x.sink.start(h, s.contentLength());
        long done = 0;
        try (InputStream body = in) {
            byte[] buf = new byte[COPY_BUFFER];
            int n;
            while ((n = body.read(buf)) != -1) {
                out.write(buf, 0, n);
                done += n;
                if (body.available() == 0) {
                    out.flush(); // the origin paused: hand over what we have instead of buffering it
                }
            }
        } catch (InFlightBody.LaggedException e) {
            // Too slow for the fan-out: continue from the committed entry, or abort.
            lagged.incrementAndGet();
            Optional<StoredEntry> entry = awaitCommitted(s);
            if (entry.isEmpty() || entry.get().bodyLength() < e.offset()) {
                x.sink.sendError(502, "response could not be completed");
                return;
            }
            try (InputStream rest = entry.get().openRange(e.offset(), entry.get().bodyLength() - e.offset())) {
                rest.transferTo(out);
            } catch (IOException io) {
                x.sink.sendError(502, "stored body unreadable");
                return;
            }
        } catch (IOException e) {
            // The origin body was cut off (or our client left): never end it as if complete.
            LOG.debug("follower stream aborted after {} bytes: {}", done, e.toString());
            x.sink.sendError(502, "origin body cut off");
            return;
        }
        out.close();
    }

    private static Optional<StoredEntry> awaitCommitted(Result.Streaming s) {
        try {
            return s.committed().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException e) {
            return Optional.empty();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // FETCH

    /**
     * The one place the order of the two rewrites is decided: policy has already removed the
     * client's X-Forwarded-* / Forwarded fields from {@code decided} (they must reach neither the
     * cache key nor a shared entry); ProxyHeaders then adds this hop, extending the chain of the
     * request as received when its peer is a trusted proxy.
     */
    private RequestHead toOrigin(Exchange x, RequestHead decided) {
        return proxyHeaders.toOrigin(decided, x.request.head().headers(), x.request.client().peerAddress(),
                x.request.client().secure());
    }

    /**
     * Sends a request to the origin and handles the answer.
     *
     * @param validating true when {@code originRequest} is our own conditional request
     * @param validated  the stored response being validated (null for misses, and for a Vary miss)
     * @param flight     the flight this request leads, or null when not collapsed
     */
    private void fetch(Exchange x, RequestHead originRequest, boolean validating, StoredResponse validated,
                       ForwardReason reason, Flight flight) throws IOException {
        // Opened before the request time is taken, closed after the commit was checked (PurgeGate).
        PurgeGate.FillTicket ticket = purgeGate.fillStarting();
        try {
            fetch0(x, originRequest, validating, validated, reason, flight);
        } finally {
            ticket.close();
        }
    }

    private void fetch0(Exchange x, RequestHead originRequest, boolean validating, StoredResponse validated,
                        ForwardReason reason, Flight flight) throws IOException {
        RequestHead toSend = toOrigin(x, originRequest);
        RequestBody body = x.request.hasBody() && !validating
                ? RequestBody.of(x.request.body(), x.request.contentLength()) : null;
        Instant requestTime = clock.instant();
        OriginResponse resp;
        try {
            resp = origin.send(x.route(), toSend, body);
        } catch (OriginException e) {
            metrics.originExchange(x.route().route(), 0, 0);
            if (flight != null) {
                coalescer.publish(flight, new Result.Failed(e));
            }
            if (e.kind() == OriginException.Kind.CLIENT_BODY
                    || !serveStaleOnError(x, validatedOrSelected(x, validated), failureOf(e), reason, 0)) {
                x.sink.outcome("ERROR");
                if (validating && e.kind() != OriginException.Kind.CLIENT_BODY
                        && e.kind() != OriginException.Kind.NO_HEALTHY_SERVER) {
                    // RFC 9111 §5.2.2.2, §4.2.4: a stored response that could not be validated is not
                    // reused; the cache generates 504 Gateway Timeout.
                    x.sink.sendError(504, "origin unreachable and the stored response may not be served stale",
                            e.responseFields());
                } else {
                    // NO_HEALTHY_SERVER (validating or not): every server of the route's pool is known to be
                    // down, so 503 with the pool's Retry-After rather than 504.
                    x.sink.sendError(e.kind().status(), e.kind().message(), e.responseFields());
                }
            }
            return;
        }
        Instant responseTime = clock.instant();
        x.now = responseTime;
        x.sink.originNanos(resp.headNanos());
        metrics.originExchange(x.route().route(), resp.head().status(), resp.headNanos());
        ResponseHead rh = resp.head();

        if (!Methods.isSafe(x.head.method())) {
            invalidate(x, rh);
        }
        if (validating && rh.status() == 304) {
            merge304(x, resp, validated, reason, flight, requestTime, responseTime);
            return;
        }
        if (validating && OriginFailure.status(rh.status()).isError()) {
            // RFC 5861 §4 / RFC 9111 §4.3.3: a 5xx during validation may be answered with stale content.
            StoredResponse base = validatedOrSelected(x, validated);
            if (base != null && StaleOnError.decide(x.head, base, OriginFailure.status(rh.status()), x.now, policy,
                    x.overrides).isPresent()) {
                resp.abort();
                if (flight != null) {
                    coalescer.publish(flight, new Result.GoAlone("origin error during validation"));
                }
                serveStaleOnError(x, base, OriginFailure.status(rh.status()), reason, rh.status());
                return;
            }
        }
        storeAndDeliver(x, resp, reason, flight, requestTime, responseTime);
    }

    /** The validated response, or the one Vary selects for this request among the looked-up ones. */
    private static StoredResponse validatedOrSelected(Exchange x, StoredResponse validated) {
        if (validated != null) {
            return validated;
        }
        return x.variantCount() == 0 ? null : ReusePolicy.select(x.responses(), x.head);
    }

    private static OriginFailure failureOf(OriginException e) {
        switch (e.kind()) {
            case CONNECT_TIMEOUT:
            case RESPONSE_TIMEOUT:
                return OriginFailure.timeout();
            default:
                return OriginFailure.connectError();
        }
    }

    /** Serves {@code base} stale when policy allows it for this failure; returns false when it does not. */
    private boolean serveStaleOnError(Exchange x, StoredResponse base, OriginFailure failure, ForwardReason reason,
                                      int fwdStatus) throws IOException {
        if (base == null) {
            return false;
        }
        Optional<CacheDecision.ServeStale> s = StaleOnError.decide(x.head, base, failure, clock.instant(), policy,
                x.overrides);
        if (s.isEmpty()) {
            return false;
        }
        Variant v = x.variantOf(base);
        CacheStatus status = CacheStatus.staleOnError(policy.cacheName(), reason, fwdStatus, s.get().ttl(),
                s.get().detail());
        deliverStored(x, v.entry, base, base.head(), status, s.get().age(), false, false);
        return true;
    }

    /** RFC 9111 §4.4: a non-error response to an unsafe method invalidates the URI (all variants). */
    private void invalidate(Exchange x, ResponseHead rh) {
        List<String> keys = Invalidation.keysToInvalidate(x.head, rh);
        for (String key : keys) {
            store.removeAll(StoreAdapter.primaryKey(key));
        }
        if (x.keyDetail != null && !keys.isEmpty()) {
            store.removeAll(x.primary); // the target URI is stored under its rewritten key
        }
    }

    // ---------------------------------------------------------------------------------------------
    // MERGE-304

    /** RFC 9111 §4.3.4: a 304 updates the stored heads it selects; the client is answered from the update. */
    private void merge304(Exchange x, OriginResponse resp, StoredResponse validated, ForwardReason reason,
                          Flight flight, Instant requestTime, Instant responseTime) throws IOException {
        resp.close();
        ResponseHead notModified = withDate(resp.head(), responseTime);
        List<StoredResponse> responses = x.responses();
        List<Integer> selected = ConditionalRequests.select304(notModified, responses, validated);
        if (selected.isEmpty()) {
            // RFC 9111 §4.3.4: the 304 matches nothing stored; repeat the request without conditions.
            RequestHead unconditional = ConditionalRequests.build(x.head, null, List.of());
            fetch(x, unconditional, false, null, reason, flight);
            return;
        }
        Variant serve = null;
        StoredResponse updated = null;
        ResponseHead forClient = null;
        for (int i : selected) {
            Variant v = x.variants().get(i);
            HeaderMerge.Result m = HeaderMerge.merge(v.response.head(), notModified, policy);
            if (m.storable()) {
                EntryHead nh = adapter.updatedEntryHead(v.response, m.stored(), requestTime, responseTime, x.now,
                        x.overrides);
                store.replaceHead(v.entry, nh, x.now);
            } else {
                // The 304 made the response private or no-store: it must not be kept (RFC 9111 §3).
                store.remove(v.key);
            }
            if (serve == null || v.response == validated) {
                serve = v;
                updated = v.response.updated(m.stored(), requestTime, responseTime);
                forClient = m.forClient();
            }
        }
        if (flight != null) {
            coalescer.publish(flight, new Result.LookAgain());
        }
        long age = AgeCalculator.currentAge(updated, x.now);
        long ttl = Freshness.remaining(updated, x.now, policy, x.overrides);
        CacheStatus status = CacheStatus.revalidated(policy.cacheName(), reason, true, ttl, null);
        deliverStored(x, serve.entry, updated, forClient, status, age, true, false);
    }

    // ---------------------------------------------------------------------------------------------
    // STORE-AND-STREAM / PASS

    private static boolean responseCausedNotStored(NotStoredReason r) {
        switch (r) {
            case NO_STORE:
            case PRIVATE:
            case VARY_STAR:
            case SET_COOKIE:
            case NOT_CACHEABLE:
            case STATUS_NOT_UNDERSTOOD:
            case PARTIAL:
                return true;
            default:
                return false;
        }
    }

    private void storeAndDeliver(Exchange x, OriginResponse resp, ForwardReason reason, Flight flight,
                                 Instant requestTime, Instant responseTime) throws IOException {
        ResponseHead rh = resp.head();
        StoreDecision sd = StorePolicy.decide(x.head, rh, responseTime, policy, x.overrides);
        long length = x.isHead() || StatusCodes.hasNoContent(rh.status()) ? lengthForNoBody(rh)
                : resp.contentLength();
        if (x.isHead() && rh.status() == 200) {
            headUpdate(x, rh, requestTime, responseTime);
        }
        if (!(sd instanceof StoreDecision.Store) || x.isHead()) {
            String detail = sd instanceof StoreDecision.DontStore
                    ? ((StoreDecision.DontStore) sd).reason().detail() : null;
            if (flight != null) {
                if (sd instanceof StoreDecision.DontStore
                        && responseCausedNotStored(((StoreDecision.DontStore) sd).reason())) {
                    // Hit-for-miss: the next requests for this URL go straight to the origin.
                    coalescer.markHitForMiss(x.primary);
                }
                coalescer.publish(flight, new Result.GoAlone(detail == null ? "not shared" : detail));
            }
            CacheStatus status = CacheStatus.forwarded(policy.cacheName(), reason, rh.status(), false, null, detail);
            ResponseHead h = shape(proxyHeaders.toClient(rh, x.request.client().protocol()), null, false, status, x);
            x.sink.outcome(status.shortStatus().name());
            pump(x, resp, h, length, null, null, null);
            return;
        }
        StoreDecision.Store st = (StoreDecision.Store) sd;
        StoreKey key = StoreAdapter.variantKey(x.primary, st.head(), x.head);
        HeaderFields selecting = VaryNormalizer.selectingHeaders(st.head(), x.head);
        EntryHead eh = adapter.toEntryHead(st.head(), selecting, requestTime, responseTime, x.now, x.overrides);
        EntryWriter writer = store.beginWrite(key, eh, resp.contentLength(), x.now);
        coalescer.clearHitForMiss(x.primary);
        CompletableFuture<Optional<StoredEntry>> committed = new CompletableFuture<>();
        InFlightBody fan = null;
        long ttl = ttlOf(st.head(), requestTime, responseTime, x);
        if (flight != null && ttl <= 0) {
            // RFC 9111 §4: a response that is already stale (e.g. a large Age) may not be reused for
            // other requests without validation, so it is not shared with collapsed followers.
            coalescer.publish(flight, new Result.GoAlone("stale on arrival"));
        } else if (flight != null) {
            fan = new InFlightBody(config.maxFollowerLagBytes());
            coalescer.publish(flight, new Result.Streaming(st.head(), rh.status(),
                    VaryNormalizer.varyNames(st.head().headers()), x.head.headers(), length, fan, committed));
        }
        // RFC 9111 §4.1: the new response replaces the variants this request selected; evict over the cap.
        List<StoreKey> obsolete = new ArrayList<>();
        VariantPlan plan = VariantPlan.forInsert(x.responses(), x.head, policy);
        for (int i : plan.toRemove()) {
            StoreKey k = x.variants().get(i).key;
            if (!k.equals(key)) {
                obsolete.add(k);
            }
        }
        CacheStatus status = CacheStatus.forwarded(policy.cacheName(), reason, rh.status(), true, ttl, st.detail());
        ResponseHead h = shape(proxyHeaders.toClient(rh, x.request.client().protocol()), null, false, status, x);
        x.sink.outcome(status.shortStatus().name());
        pump(x, resp, h, length, writer, fan, committed);
        if (committed.getNow(Optional.empty()).isPresent()) {
            for (StoreKey k : obsolete) {
                store.remove(k);
            }
        }
    }

    /**
     * RFC 9111 §4.3.5: a 200 to a forwarded HEAD updates the stored GET response Vary selects when
     * its validators and length agree, and makes it unusable (removed) when they do not.
     */
    private void headUpdate(Exchange x, ResponseHead rh, Instant requestTime, Instant responseTime) {
        if (x.variantCount() == 0) {
            return;
        }
        StoredResponse selected = ReusePolicy.select(x.responses(), x.head);
        if (selected == null) {
            return;
        }
        Variant v = x.variantOf(selected);
        HeaderMerge.HeadUpdate u = HeaderMerge.headUpdate(selected, rh, policy);
        if (u.kind() == HeaderMerge.HeadUpdateKind.UPDATE && u.merged().storable()) {
            store.replaceHead(v.entry, adapter.updatedEntryHead(selected, u.merged().stored(), requestTime,
                    responseTime, responseTime, x.overrides), responseTime);
        } else {
            store.remove(v.key);
        }
    }

    /**
     * RFC 9110 §6.6.1: a recipient with a clock that caches a response without Date appends the time
     * it was received. Applied to a 304 before it is merged (StorePolicy does it for stored heads),
     * or the stored Date would stay the old one and the entry would look stale at once.
     */
    private static ResponseHead withDate(ResponseHead h, Instant received) {
        return h.headers().contains("Date") ? h
                : h.withHeaders(h.headers().toBuilder().add("Date", HttpDates.format(received)).build());
    }

    private long ttlOf(ResponseHead stored, Instant requestTime, Instant responseTime, Exchange x) {
        StoredResponse sr = new StoredResponse(requestTime, responseTime, stored, HeaderFields.empty(), 0);
        return Freshness.remaining(sr, x.now, policy, x.overrides);
    }

    /** The Content-Length a bodiless response (HEAD, 204, 304) announces, or -1. */
    private static long lengthForNoBody(ResponseHead rh) {
        String cl = rh.headers().first("Content-Length");
        if (cl == null) {
            return -1;
        }
        try {
            return Long.parseLong(cl.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Copies the origin body to the client, the store writer and the fan-out as it arrives. Commits
     * only a body that ended cleanly with the announced length (RFC 9111 §3.3); a cut-off body
     * aborts the writer, the fan-out (followers see an error, never a clean end) and the client
     * connection. When the client leaves, filling continues if followers are reading or
     * {@code pipeline.fillOnClientDisconnect} is on and the response is being stored.
     */
    private void pump(Exchange x, OriginResponse resp, ResponseHead clientHead, long length, EntryWriter writer,
                      InFlightBody fan, CompletableFuture<Optional<StoredEntry>> committed) {
        if (x.isHead() || StatusCodes.hasNoContent(resp.head().status())) {
            // RFC 9110 §9.3.2, §8.6: no body follows; the origin's Content-Length is kept.
            resp.close();
            if (writer != null) {
                committed.complete(afterCommit(writer.commit(clock.instant()).stored(), x.overrides));
            }
            if (fan != null) {
                fan.complete();
            }
            x.sink.sendHeadOnly(clientHead);
            return;
        }
        OutputStream out = null;
        boolean clientOk = true;
        try {
            out = x.sink.start(clientHead, length);
        } catch (IOException | RuntimeException e) {
            clientOk = false;
        }
        long received = 0;
        boolean clean = false;
        String failure = null;
        // With Content-Length framing the client sees the response end with its last byte, so the last
        // bytes are held back until the entry is committed: a request the client sends after reading
        // this response is then a hit, not a follower of a fill that is still finishing.
        byte[] heldBack = null;
        try {
            {
                InputStream in = resp.body();
                byte[] buf = new byte[COPY_BUFFER];
                while (true) {
                    int n = in.read(buf);
                    if (n < 0) {
                        clean = true;
                        break;
                    }
                    if (n == 0) {
                        continue;
                    }
                    received += n;
                    if (writer != null) {
                        writer.append(ByteBuffer.wrap(buf, 0, n));
                    }
                    if (fan != null) {
                        fan.append(buf, 0, n);
                    }
                    if (clientOk && writer != null && length >= 0 && received == length && heldBack == null) {
                        heldBack = Arrays.copyOf(buf, n);
                    } else if (clientOk) {
                        try {
                            out.write(buf, 0, n);
                            if (in.available() == 0) {
                                out.flush(); // the origin paused: hand over what we have instead of buffering it
                            }
                        } catch (IOException e) {
                            clientOk = false;
                            boolean keepFilling = fan != null && fan.readers() > 0
                                    || writer != null && config.fillOnClientDisconnect();
                            if (!keepFilling) {
                                failure = "client went away";
                                break;
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            failure = e.toString();
        }
        boolean complete = clean && StorePolicy.isComplete(resp.head(), received, true)
                && (length < 0 || received == length);
        if (complete) {
            resp.close();
            if (writer != null) {
                CommitResult cr = writer.commit(clock.instant());
                if (!cr.committed()) {
                    LOG.debug("not stored {}: {}", x.primary, cr.outcome());
                }
                committed.complete(afterCommit(cr.stored(), x.overrides));
            }
            if (fan != null) {
                fan.complete();
            }
            if (clientOk) {
                try {
                    if (heldBack != null) {
                        out.write(heldBack);
                    }
                    out.close();
                } catch (IOException e) {
                    LOG.debug("client went away at the end: {}", e.toString());
                }
            }
            return;
        }
        resp.abort();
        if (writer != null) {
            writer.abort();
            committed.complete(Optional.empty());
        }
        if (fan != null) {
            fan.abort(failure == null ? "body length mismatch" : failure);
        }
        truncated.incrementAndGet();
        LOG.debug("origin body for {} not complete after {} bytes: {}", x.primary, received, failure);
        if (clientOk) {
            // The head is out: sendError aborts the connection so the client sees the failure.
            x.sink.sendError(502, "origin body cut off");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // DELIVER (from the store)

    /**
     * Answers from a stored entry: 304 when the client's conditionals say so, 206/416 for ranges,
     * else the whole body; HEAD gets the head only.
     *
     * @param head        the head to send (the stored one, or the 304-merged head for this client)
     * @param nonBlocking true on the I/O thread: returns false (sending nothing) when the answer would block
     * @return true when answered
     */
    private boolean deliverStored(Exchange x, StoredEntry entry, StoredResponse stored, ResponseHead head,
                                  CacheStatus status, long age, boolean validated, boolean nonBlocking)
            throws IOException {
        Instant now = x.now;
        ResponseSink sink = x.sink;
        if (ClientConditionals.evaluate(x.head, stored, now) == ClientConditionals.Outcome.NOT_MODIFIED) {
            ResponseHead h = shapeStored(ClientConditionals.notModified(head), age, validated, status, x);
            sink.outcome(status.shortStatus().name());
            sink.sendHeadOnly(h);
            return true;
        }
        // The multipart boundary is only made when the request has a Range field (hit path: no string work).
        String boundary = x.head.headers().contains("Range")
                ? "cachalot-" + Long.toHexString(boundaries.incrementAndGet()) : "unused";
        RangePlan plan = RangePlanner.plan(x.head, stored, boundary, policy);
        ByteBuffer buffer = entry.bodyBufferOrNull();
        if (plan instanceof RangePlan.Unsatisfiable) {
            RangePlan.Unsatisfiable u = (RangePlan.Unsatisfiable) plan;
            ResponseHead h = shapeStored(RangePlanner.head(head, u), age, validated, status, x);
            sink.outcome(status.shortStatus().name());
            sink.sendComplete(h);
            return true;
        }
        if (plan instanceof RangePlan.Single) {
            RangePlan.Single r = (RangePlan.Single) plan;
            ResponseHead h = shapeStored(RangePlanner.head(head, r), age, validated, status, x);
            if (buffer != null) {
                buffer.position((int) r.offset()).limit((int) (r.offset() + r.length()));
                sink.outcome(status.shortStatus().name());
                sink.sendComplete(h, buffer.slice());
                return true;
            }
            if (nonBlocking) {
                return false;
            }
            sink.outcome(status.shortStatus().name());
            streamStored(sink, h, entry.openRange(r.offset(), r.length()), r.length());
            return true;
        }
        if (plan instanceof RangePlan.Multipart) {
            if (nonBlocking) {
                return false;
            }
            RangePlan.Multipart m = (RangePlan.Multipart) plan;
            ResponseHead h = shapeStored(RangePlanner.head(head, m), age, validated, status, x);
            List<InputStream> parts = new ArrayList<>();
            for (RangePlan.Part p : m.parts()) {
                parts.add(new ByteArrayInputStream(p.head().getBytes(StandardCharsets.ISO_8859_1)));
                parts.add(entry.openRange(p.offset(), p.length()));
            }
            parts.add(new ByteArrayInputStream(m.trailer().getBytes(StandardCharsets.ISO_8859_1)));
            sink.outcome(status.shortStatus().name());
            streamStored(sink, h, new SequenceInputStream(Collections.enumeration(parts)), m.contentLength());
            return true;
        }
        if (x.isHead()) {
            // RFC 9111 §4.3.5 / RFC 9110 §9.3.2: HEAD answered from the stored GET, its length announced.
            ResponseHead h = shapeStored(head.withHeaders(head.headers().with("Content-Length",
                    Long.toString(stored.bodyLength()))), age, validated, status, x);
            sink.outcome(status.shortStatus().name());
            sink.sendHeadOnly(h);
            return true;
        }
        ResponseHead base = null;
        boolean reusable = head == stored.head() && "HTTP/1.1".equals(x.head.protocol());
        StoredViews.View known = x.cachedView(entry);
        if (reusable && !validated && buffer != null) {
            // The hit path: the head is a template per entry version (built and encoded once) plus the
            // values that change with the second (Age, the Cache-Status ttl, an added Date), filled
            // in per request by the sink.
            CacheStatus st = withKeyDetail(status, x);
            PreparedHead.Template t = views.hitTemplate(known, entry, stored, st);
            if (t == null) {
                base = views.fullHead11(known, entry, stored);
                if (base == null) {
                    base = proxyHeaders.toClient(RangePlanner.head(head, plan), "HTTP/1.1");
                }
                t = StoredViews.buildHitTemplate(base, age, st, now, policy);
                if (t != null) {
                    views.hitTemplate(known, entry, stored, t);
                }
            }
            if (t != null) {
                sink.outcome(status.shortStatus().name());
                sink.sendComplete(StoredViews.hitHead(known, t, DeltaSeconds.clamp(age), StoredViews.clampTtl(st.ttl()),
                        now.getEpochSecond()), buffer, entry.bodyFile().orElse(null));
                return true;
            }
        }
        if (reusable) {
            if (base == null) {
                base = views.fullHead11(known, entry, stored);
                if (base == null) {
                    base = proxyHeaders.toClient(RangePlanner.head(head, plan), "HTTP/1.1");
                    views.fullHead11(known, entry, stored, base);
                }
            }
        } else {
            base = proxyHeaders.toClient(RangePlanner.head(head, plan), x.head.protocol());
        }
        ResponseHead h = shape(base, age, validated, status, x);
        if (buffer != null) {
            sink.outcome(status.shortStatus().name());
            sink.sendComplete(h, buffer);
            return true;
        }
        if (nonBlocking) {
            return false;
        }
        sink.outcome(status.shortStatus().name());
        streamStored(sink, h, entry.openBody(), stored.bodyLength());
        return true;
    }

    /** Streams a stored body; a body that fails mid-way aborts the response (never a clean short end). */
    private static void streamStored(ResponseSink sink, ResponseHead h, InputStream body, long length) {
        try (InputStream in = body) {
            sink.stream(h, in, length);
        } catch (IOException e) {
            LOG.debug("stored body failed mid-stream: {}", e.toString());
            sink.sendError(502, "stored body unreadable");
        }
    }

    private ResponseHead shape(ResponseHead head, Long age, boolean validated, CacheStatus status, Exchange x) {
        return ResponseShaper.shape(head, age, validated, withKeyDetail(status, x), x.now, policy);
    }

    /** {@code status} as sent for {@code x}: a rewritten key (RequestRules) is a deliberate deviation every answer reports. */
    private static CacheStatus withKeyDetail(CacheStatus status, Exchange x) {
        if (x.keyDetail == null) {
            return status;
        }
        return status.withDetail(status.detail() == null ? x.keyDetail : status.detail() + "; " + x.keyDetail);
    }

    /** Shapes a response served from the store: Via added (RFC 9110 §7.6.3) like any forwarded one. */
    private ResponseHead shapeStored(ResponseHead head, long age, boolean validated, CacheStatus status, Exchange x) {
        return shape(proxyHeaders.toClient(head, x.head.protocol()), age, validated, status, x);
    }

    // ---------------------------------------------------------------------------------------------
    // BACKGROUND REVALIDATION

    /**
     * RFC 5861 §3: the conditional request sent after a stale answer. A 304 is merged into the
     * heads it selects by compare-and-swap (a head changed meanwhile is left alone); a storable full
     * response replaces the entry; anything else (errors, uncacheable answers) changes nothing.
     */
    private void revalidateInBackground(Exchange x, RequestHead conditional, StoredResponse validated,
                                        List<Variant> variants) {
        PurgeGate.FillTicket ticket = purgeGate.fillStarting();
        try {
            revalidateInBackground0(x, conditional, validated, variants);
        } finally {
            ticket.close();
        }
    }

    private void revalidateInBackground0(Exchange x, RequestHead conditional, StoredResponse validated,
                                         List<Variant> variants) {
        RequestHead toSend = toOrigin(x, conditional);
        Instant requestTime = clock.instant();
        OriginResponse resp;
        try {
            resp = origin.send(x.route(), toSend, null);
        } catch (OriginException e) {
            metrics.originExchange(x.route().route(), 0, 0);
            LOG.debug("background revalidation of {} failed: {}", x.primary, e.toString());
            return;
        }
        Instant responseTime = clock.instant();
        metrics.originExchange(x.route().route(), resp.head().status(), resp.headNanos());
        ResponseHead rh = resp.head();
        if (rh.status() == 304) {
            resp.close();
            rh = withDate(rh, responseTime);
            List<StoredResponse> responses = new ArrayList<>(variants.size());
            for (Variant v : variants) {
                responses.add(v.response);
            }
            for (int i : ConditionalRequests.select304(rh, responses, validated)) {
                Variant v = variants.get(i);
                HeaderMerge.Result m = HeaderMerge.merge(v.response.head(), rh, policy);
                if (!m.storable()) {
                    store.remove(v.key);
                    continue;
                }
                EntryHead nh = adapter.updatedEntryHead(v.response, m.stored(), requestTime, responseTime,
                        responseTime, x.overrides);
                store.replaceHead(v.entry, nh, responseTime);
            }
            return;
        }
        RequestHead asGet = new RequestHead("GET", x.head.scheme(), x.head.authority(), x.head.target(),
                x.head.protocol(), x.head.headers());
        StoreDecision sd = StorePolicy.decide(asGet, rh, responseTime, policy, x.overrides);
        if (!(sd instanceof StoreDecision.Store)) {
            resp.abort();
            return;
        }
        StoreDecision.Store st = (StoreDecision.Store) sd;
        StoreKey key = StoreAdapter.variantKey(x.primary, st.head(), asGet);
        EntryHead eh = adapter.toEntryHead(st.head(), VaryNormalizer.selectingHeaders(st.head(), asGet), requestTime,
                responseTime, responseTime, x.overrides);
        try (EntryWriter writer = store.beginWrite(key, eh, resp.contentLength(), responseTime)) {
            long received = 0;
            InputStream in = resp.body();
            byte[] buf = new byte[COPY_BUFFER];
            int n;
            while ((n = in.read(buf)) != -1) {
                received += n;
                if (!writer.append(ByteBuffer.wrap(buf, 0, n))) {
                    resp.abort();
                    return;
                }
            }
            if (StorePolicy.isComplete(rh, received, true)
                    && (resp.contentLength() < 0 || received == resp.contentLength())) {
                resp.close();
                afterCommit(writer.commit(clock.instant()).stored(), x.overrides);
            } else {
                truncated.incrementAndGet();
                resp.abort();
            }
        } catch (IOException e) {
            truncated.incrementAndGet();
            resp.abort();
        }
    }
}
