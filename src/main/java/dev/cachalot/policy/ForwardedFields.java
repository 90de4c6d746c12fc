package dev.cachalot.policy;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.RequestHead;

/**
 * Client request fields that could poison shared entries when forwarded: they make an origin build
 * links, redirects or method semantics from client-controlled input that is not in the cache key
 * ("unkeyed inputs"). The proxy, not the client, supplies X-Forwarded-* and Forwarded, so client
 * copies are removed before any request leaves the cache. Hop-by-hop removal is the origin
 * adapter's job (RFC 9110 §7.6.1).
 */
public final class ForwardedFields {
    private ForwardedFields() {}

    /** Fields removed from every forwarded request. */
    public static final String[] UNKEYED = {"X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-Port",
            "X-Forwarded-Server", "X-Forwarded-Prefix", "X-Forwarded-Scheme", "X-Forwarded-Ssl", "X-Forwarded-For",
            "Forwarded", "X-Host", "X-Original-Host", "X-Original-URL", "X-Rewrite-URL", "X-HTTP-Method-Override",
            "X-HTTP-Method", "X-Method-Override"};

    /** The request with the unkeyed, poisoning fields removed. */
    public static RequestHead sanitize(RequestHead request) {
        HeaderFields h = request.headers().without(UNKEYED);
        return h == request.headers() ? request : request.withHeaders(h);
    }
}
