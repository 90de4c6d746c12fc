package dev.cachalot.policy;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.HopByHop;
import dev.cachalot.http.HttpDates;
import dev.cachalot.http.RequestHead;
import dev.cachalot.http.ResponseHead;
import dev.cachalot.http.StatusCodes;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * May this response be stored (RFC 9111 §3), and in what form. Checks run in a fixed order and the
 * first "no" is the reason. Storing and reusing are separate questions: a stored response may
 * still need validation before every reuse (no-cache, no freshness).
 */
public final class StorePolicy {
    private StorePolicy() {}

    /** Fields never stored: proxy-specific fields (RFC 9111 §3.1), in addition to hop-by-hop ones. */
    private static final String[] PROXY_SPECIFIC = {"Proxy-Authenticate", "Proxy-Authentication-Info",
            "Proxy-Authorization"};

    /**
     * Decides whether the response to this request may be stored.
     *
     * @param request   the client request as received (its Authorization and Cache-Control matter)
     * @param response  the origin response head
     * @param responseTime when the response was received: becomes its Date when it has none
     *                  (RFC 9110 §6.6.1: a recipient MUST record the time and add Date if it caches it)
     * @param config    the policy configuration
     * @param overrides the route's overrides
     */
    public static StoreDecision decide(RequestHead request, ResponseHead response, Instant responseTime,
                                       PolicyConfig config, RouteOverrides overrides) {
        if (overrides.bypassPrefixFor(request.path()) != null) {
            return new StoreDecision.DontStore(NotStoredReason.BYPASS);
        }
        // RFC 9111 §3: the request method is understood by the cache (we store GET only).
        if (!request.isMethod("GET")) {
            return new StoreDecision.DontStore(NotStoredReason.METHOD);
        }
        int status = response.status();
        // RFC 9111 §3: the response status code is final; a 304 only ever updates (§4.3.4).
        if (StatusCodes.isInformational(status) || status == 304) {
            return new StoreDecision.DontStore(NotStoredReason.STATUS);
        }
        // RFC 9111 §5.2.1.5: a request no-store forbids storing any part of the request or response.
        CacheControl reqCc = RequestDirectives.parse(request.headers());
        if (reqCc.noStore()) {
            return new StoreDecision.DontStore(NotStoredReason.REQUEST_NO_STORE);
        }
        ResponseDirectives dirs = ResponseDirectives.of(response.headers(), config, overrides);
        CacheControl cc = dirs.cc();
        if (cc.mustUnderstand()) {
            // RFC 9111 §5.2.2.3: store only if the status code is understood; then no-store is ignored.
            if (!understands(status)) {
                return new StoreDecision.DontStore(NotStoredReason.STATUS_NOT_UNDERSTOOD);
            }
        } else if (cc.noStore()) {
            return new StoreDecision.DontStore(NotStoredReason.NO_STORE);
        }
        // RFC 9111 §3: a 206 needs a cache that understands ranges; we store complete responses only.
        if (status == 206) {
            return new StoreDecision.DontStore(NotStoredReason.PARTIAL);
        }
        // RFC 9111 §5.2.2.7: a shared cache must not store a private response (unqualified form).
        if (config.shared() && cc.isPrivate() && cc.privateFields().isEmpty()) {
            return new StoreDecision.DontStore(NotStoredReason.PRIVATE);
        }
        // RFC 9111 §3.5: responses to authorised requests only with public, must-revalidate or s-maxage.
        if (config.shared() && request.headers().contains("Authorization") && !allowsAuthorized(cc)) {
            return new StoreDecision.DontStore(NotStoredReason.AUTHORIZATION);
        }
        // RFC 9111 §4.1: "Vary: *" always fails to match; storing it would be useless.
        if (VaryNormalizer.isVaryStar(response.headers())) {
            return new StoreDecision.DontStore(NotStoredReason.VARY_STAR);
        }
        boolean hasSetCookie = response.headers().contains("Set-Cookie");
        if (hasSetCookie) {
            switch (config.setCookiePolicy()) {
                case DONT_STORE:
                    return new StoreDecision.DontStore(NotStoredReason.SET_COOKIE);
                case STORE_WHEN_SHAREABLE:
                    if (!(cc.isPublic() || cc.sMaxAge() != DeltaSeconds.ABSENT)) {
                        return new StoreDecision.DontStore(NotStoredReason.SET_COOKIE);
                    }
                    break;
                case STRIP_AND_STORE:
                default:
                    break;
            }
        }
        // RFC 9111 §3: at least one of public, Expires, max-age, s-maxage (shared), or a heuristically
        // cacheable status code; a forced TTL is the operator's opt-in equivalent.
        boolean override = overrides.forceTtl() != null;
        if (!(cc.isPublic() || Freshness.hasExplicitExpiration(response, dirs, config)
                || Freshness.HEURISTICALLY_CACHEABLE.contains(status) || (!config.shared() && cc.isPrivate())
                || override)) {
            return new StoreDecision.DontStore(NotStoredReason.NOT_CACHEABLE);
        }
        String detail = dirs.overrideDetail();
        if (override) {
            String forced = overrides.describe("force-ttl");
            detail = detail == null ? forced : detail + "; " + forced;
        }
        ResponseHead head = storableHead(response, cc, config);
        if (!head.headers().contains("Date")) {
            head = head.withHeaders(head.headers().toBuilder().add("Date", HttpDates.format(responseTime)).build());
        }
        return new StoreDecision.Store(head, dirs, detail);
    }

    /** RFC 9111 §3.5: the directives that allow a shared cache to store a response to an authorised request. */
    static boolean allowsAuthorized(CacheControl cc) {
        return cc.isPublic() || cc.mustRevalidate() || cc.sMaxAge() != DeltaSeconds.ABSENT;
    }

    /** True when this cache implements the caching requirements of the status code (RFC 9111 §5.2.2.3). */
    static boolean understands(int status) {
        if (StatusCodes.isInformational(status) || status == 206 || status == 304) {
            return false;
        }
        return !StatusCodes.reason(status).isEmpty() || status == 451;
    }

    /**
     * The head as it may be stored (RFC 9111 §3.1): hop-by-hop and Connection-listed fields removed,
     * proxy-specific fields removed, fields named by qualified {@code private} removed in a shared
     * cache (§5.2.2.7), and Set-Cookie removed under {@link SetCookiePolicy#STRIP_AND_STORE}.
     */
    public static ResponseHead storableHead(ResponseHead response, CacheControl cc, PolicyConfig config) {
        HeaderFields h = HopByHop.strip(response.headers()).without(PROXY_SPECIFIC);
        List<String> drop = new ArrayList<>();
        if (config.shared() && cc.isPrivate()) {
            drop.addAll(cc.privateFields());
        }
        if (config.setCookiePolicy() == SetCookiePolicy.STRIP_AND_STORE) {
            drop.add("Set-Cookie");
        }
        if (!drop.isEmpty()) {
            h = h.without(drop.toArray(new String[0]));
        }
        return response.withHeaders(h);
    }

    /**
     * RFC 9111 §3.3: whether a received body is complete, so the pipeline may commit the entry.
     *
     * @param head          the response head
     * @param receivedBytes the number of content bytes received
     * @param endedCleanly  true when the message framing ended normally (last chunk or connection close
     *                      after a length-less body without error)
     */
    public static boolean isComplete(ResponseHead head, long receivedBytes, boolean endedCleanly) {
        if (!endedCleanly) {
            return false;
        }
        String cl = head.headers().first("Content-Length");
        if (cl == null) {
            return true;
        }
        long expected = DeltaSeconds.parse(cl.trim());
        return expected != DeltaSeconds.ABSENT && expected == receivedBytes;
    }
}
