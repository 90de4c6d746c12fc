package dev.cachalot.policy;

import dev.cachalot.http.RequestHead;

/**
 * What to do with a request given the stored responses of its URL ({@link ReusePolicy#decide}).
 * Ages and TTLs are seconds; ttl is the remaining freshness (negative when stale).
 */
public sealed interface CacheDecision {

    /** Serve the stored response; it is fresh and the request allows it. */
    record Serve(StoredResponse entry, long age, long ttl, String detail) implements CacheDecision {}

    /**
     * Serve the stored response although it is stale.
     *
     * @param revalidation for {@link StaleReason#WHILE_REVALIDATE}: the conditional request to send in
     *                     the background (once per key), else null
     */
    record ServeStale(StoredResponse entry, StaleReason reason, long age, long ttl, RequestHead revalidation,
                      String detail) implements CacheDecision {}

    /**
     * Send a conditional request to the origin; a 304 selects and updates stored responses
     * ({@link ConditionalRequests#select304}), other responses replace them.
     *
     * @param entry       the selected stored response being validated, or null when Vary selected none but
     *                    stored entity tags were offered (RFC 9111 §4.3.1)
     * @param conditional the request to send
     * @param reason      {@link ForwardReason#STALE}, {@link ForwardReason#REQUEST} or {@link ForwardReason#VARY_MISS}
     */
    record Revalidate(StoredResponse entry, RequestHead conditional, ForwardReason reason, long age, long ttl,
                      String detail) implements CacheDecision {}

    /** Forward the request without using the cache (the request to send is sanitised). */
    record Forward(ForwardReason reason, RequestHead originRequest, String detail) implements CacheDecision {}

    /** only-if-cached could not be satisfied: answer 504 (RFC 9111 §5.2.1.7). */
    record GatewayTimeout(ForwardReason reason, String detail) implements CacheDecision {}
}
