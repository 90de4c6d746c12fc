package dev.cachalot.policy;

/**
 * What the cache does with a response that carries Set-Cookie. Whatever the choice, one client's
 * Set-Cookie is never handed to another client unless the origin marked the response shareable.
 */
public enum SetCookiePolicy {
    /**
     * Default. Store the response with its Set-Cookie only when the origin marked it shareable
     * ({@code public} or {@code s-maxage}, in the effective directives for this cache); otherwise do
     * not store it at all (detail {@code set-cookie}). Chosen over stripping because a response that
     * sets a cookie is usually personalised in its body too.
     */
    STORE_WHEN_SHAREABLE,
    /** Store every otherwise storable response, but without its Set-Cookie lines; the client that caused the fill still receives them. */
    STRIP_AND_STORE,
    /** Never store a response that carries Set-Cookie. */
    DONT_STORE
}
