package dev.cachalot.policy;

import dev.cachalot.http.RequestHead;
import dev.cachalot.http.ResponseHead;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The policy ring's single entry point for the pipeline: every question, bound to one
 * {@link PolicyConfig}. Pure; thread-safe; holds no state besides the configuration. The order a
 * pipeline asks in:
 * <ol>
 *   <li>{@link #primaryKey} → look up every stored variant of the URL;</li>
 *   <li>{@link #decide} → Serve / ServeStale / Revalidate / Forward / GatewayTimeout;</li>
 *   <li>answering from the store: {@link #clientConditional} (304?) then {@link #rangePlan};</li>
 *   <li>after a 304: {@link #select304} then {@link #merge} each selected head;</li>
 *   <li>after a full response: {@link #store} then {@link #variantPlan} (replace / evict);</li>
 *   <li>after an origin failure: {@link #staleOnError};</li>
 *   <li>after an unsafe method: {@link #invalidate}; after a HEAD: {@link #headUpdate};</li>
 *   <li>always last: {@link #shape} with the {@link CacheStatus} of the outcome.</li>
 * </ol>
 */
public final class CachePolicy {
    private final PolicyConfig config;

    public CachePolicy(PolicyConfig config) {
        this.config = Objects.requireNonNull(config, "config");
    }

    public PolicyConfig config() {
        return config;
    }

    /** Primary cache key (RFC 9111 §2). */
    public String primaryKey(RequestHead request) {
        return CacheKeys.primary(request);
    }

    /** Reuse decision (RFC 9111 §4). */
    public CacheDecision decide(RequestHead request, List<StoredResponse> variants, Instant now, RouteOverrides overrides) {
        return ReusePolicy.decide(request, variants, now, config, overrides);
    }

    /** Client If-None-Match / If-Modified-Since against the entry that answers (RFC 9111 §4.3.2). */
    public ClientConditionals.Outcome clientConditional(RequestHead request, StoredResponse entry, Instant now) {
        return ClientConditionals.evaluate(request, entry, now);
    }

    /** Range / If-Range against a stored full response (RFC 9110 §14). */
    public RangePlan rangePlan(RequestHead request, StoredResponse entry, String boundary) {
        return RangePlanner.plan(request, entry, boundary, config);
    }

    /** Which stored variants a 304 updates (RFC 9111 §4.3.4). */
    public List<Integer> select304(ResponseHead notModified, List<StoredResponse> variants, StoredResponse validated) {
        return ConditionalRequests.select304(notModified, variants, validated);
    }

    /** Update of a stored head by a 304 (RFC 9111 §3.2). */
    public HeaderMerge.Result merge(ResponseHead stored, ResponseHead notModified) {
        return HeaderMerge.merge(stored, notModified, config);
    }

    /** Whether and how to store a response (RFC 9111 §3). */
    public StoreDecision store(RequestHead request, ResponseHead response, Instant responseTime,
                               RouteOverrides overrides) {
        return StorePolicy.decide(request, response, responseTime, config, overrides);
    }

    /** Variants to replace or evict when storing for this request (RFC 9111 §4.1, variant cap). */
    public VariantPlan variantPlan(List<StoredResponse> existing, RequestHead request) {
        return VariantPlan.forInsert(existing, request, config);
    }

    /** Stale answer after an origin failure, when allowed (RFC 5861 §4, RFC 9111 §4.3.3). */
    public Optional<CacheDecision.ServeStale> staleOnError(RequestHead request, StoredResponse entry, OriginFailure failure,
                                                           Instant now, RouteOverrides overrides) {
        return StaleOnError.decide(request, entry, failure, now, config, overrides);
    }

    /** Keys to invalidate after a response to an unsafe method (RFC 9111 §4.4). */
    public List<String> invalidate(RequestHead request, ResponseHead response) {
        return Invalidation.keysToInvalidate(request, response);
    }

    /** Update or invalidation of a stored GET by a HEAD response (RFC 9111 §4.3.5). */
    public HeaderMerge.HeadUpdate headUpdate(StoredResponse stored, ResponseHead head) {
        return HeaderMerge.headUpdate(stored, head, config);
    }

    /** Outgoing head: Age, Date, Cache-Status, short status (RFC 9111 §5.1, RFC 9211). */
    public ResponseHead shape(ResponseHead head, Long age, boolean validated, CacheStatus status, Instant now) {
        return ResponseShaper.shape(head, age, validated, status, now, config);
    }
}
