package dev.cachalot.policy;

import dev.cachalot.http.ResponseHead;

/** The answer of {@link StorePolicy}: store this head, or do not store and why. */
public sealed interface StoreDecision {

    /**
     * Store the response.
     *
     * @param head       the head to store: storage-excluded fields removed (RFC 9111 §3.1)
     * @param directives the effective directives the decision was based on
     * @param detail     "override ..." when a route override made storing possible, else null
     */
    record Store(ResponseHead head, ResponseDirectives directives, String detail) implements StoreDecision {}

    /** Do not store; the reason becomes Cache-Status detail. */
    record DontStore(NotStoredReason reason) implements StoreDecision {}

    /** True for {@link Store}. */
    default boolean stored() {
        return this instanceof Store;
    }
}
