package dev.cachalot.policy;

/** Why a request went forward to the origin: the RFC 9211 §2.2 {@code fwd} parameter values. */
public enum ForwardReason {
    /** The cache was configured not to handle this request (route bypass). */
    BYPASS("bypass"),
    /** The request method's semantics require the request to be forwarded. */
    METHOD("method"),
    /** The cache had no stored response for the target URI. */
    URI_MISS("uri-miss"),
    /** The cache had stored responses for the URI, but Vary selected none of them. */
    VARY_MISS("vary-miss"),
    /** The cache did not contain any responses that matched the request (generic). */
    MISS("miss"),
    /** A fresh stored response existed but the request's semantics (directives, conditionals) did not allow it. */
    REQUEST("request"),
    /** The stored response was stale and had to be validated. */
    STALE("stale"),
    /** The stored response was partial. */
    PARTIAL("partial");

    private final String token;

    ForwardReason(String token) {
        this.token = token;
    }

    /** The sf-token used in Cache-Status. */
    public String token() {
        return token;
    }
}
