package dev.cachalot.policy;

import dev.cachalot.http.RequestHead;

import java.time.Instant;
import java.util.List;

/**
 * May a stored response answer this request, and if not, what goes to the origin (RFC 9111 §4).
 * The steps, in order:
 * <ol>
 *   <li>route bypass, then the method (GET and HEAD are looked up; HEAD is answered from a stored GET);</li>
 *   <li>If-Match / If-Unmodified-Since are not applicable to a cache (RFC 9111 §4.3.2): forwarded;</li>
 *   <li>no stored response: uri-miss; Vary selects none: vary-miss (validated with all stored ETags);</li>
 *   <li>Authorization requests reuse only responses that allow it (RFC 9111 §3.5);</li>
 *   <li>request no-cache / Pragma: no-cache (unless a rule ignores it for a fresh response), response
 *       unqualified no-cache: validate;</li>
 *   <li>fresh and acceptable to the request (max-age, min-fresh): serve;</li>
 *   <li>stale: max-stale, then stale-while-revalidate, unless must-revalidate, proxy-revalidate or
 *       s-maxage forbid it; otherwise validate.</li>
 * </ol>
 * only-if-cached (RFC 9111 §5.2.1.7) turns every decision that needs the origin into a 504.
 */
public final class ReusePolicy {
    private ReusePolicy() {}

    /**
     * Decides how to answer {@code request}.
     *
     * @param request   the client request
     * @param variants  every stored response for the request's primary key (possibly empty)
     * @param now       the current time
     * @param config    policy configuration
     * @param overrides the route's overrides
     */
    public static CacheDecision decide(RequestHead request, List<StoredResponse> variants, Instant now,
                                       PolicyConfig config, RouteOverrides overrides) {
        String bypass = overrides.bypassPrefixFor(request.path());
        if (bypass != null) {
            return forward(request, ForwardReason.BYPASS, overrides.describe("bypass " + bypass));
        }
        if (!request.isMethod("GET") && !request.isMethod("HEAD")) {
            return forward(request, ForwardReason.METHOD, null);
        }
        CacheControl req = RequestDirectives.parse(request.headers());
        boolean onlyIfCached = req.onlyIfCached();
        if (request.headers().contains("If-Match") || request.headers().contains("If-Unmodified-Since")) {
            // RFC 9111 §4.3.2: these preconditions are not applicable to a cache; the origin evaluates them.
            return network(onlyIfCached, forward(request, ForwardReason.REQUEST, "precondition for origin"));
        }
        if (variants.isEmpty()) {
            return network(onlyIfCached, forward(request, ForwardReason.URI_MISS, null));
        }
        StoredResponse selected = select(variants, request);
        if (selected == null) {
            boolean anyEtag = variants.stream().anyMatch(v -> v.etag() != null);
            if (anyEtag) {
                // RFC 9111 §4.3.1: offer every stored ETag; a 304 then selects the right one (§4.3.4).
                return network(onlyIfCached, new CacheDecision.Revalidate(null,
                        ConditionalRequests.build(request, null, variants), ForwardReason.VARY_MISS, 0, 0, null));
            }
            return network(onlyIfCached, forward(request, ForwardReason.VARY_MISS, null));
        }

        ResponseDirectives dirs = selected.directives(config, overrides);
        CacheControl res = dirs.cc();
        Freshness.Lifetime lifetime = selected.lifetime(config, overrides);
        long age = AgeCalculator.currentAge(selected, now);
        long ttl = lifetime.seconds() - age;
        String overrideDetail = join(dirs.overrideDetail(), lifetime.source() == Freshness.Source.OVERRIDE
                ? lifetime.detail() : null);

        String unusable = unusable(selected, res, config);
        if (unusable != null) {
            // Defence in depth: a stored response that the current configuration would not have
            // stored (e.g. an entry from a disk tier written under another config, or a head
            // updated to private/no-store) is never reused.
            return network(onlyIfCached, forward(request, ForwardReason.MISS, "stored response not reusable: " + unusable));
        }
        if (config.shared() && request.headers().contains("Authorization") && !StorePolicy.allowsAuthorized(res)) {
            // RFC 9111 §3.5 (deliberately also applied at reuse, see docs/policy.md).
            return network(onlyIfCached, forward(request, ForwardReason.REQUEST, "authorization"));
        }
        boolean fresh = ttl > 0; // RFC 9111 §4.2: response_is_fresh = (freshness_lifetime > current_age)
        // Deliberate deviation, opt-in per rule (Squid's ignore-reload): a request no-cache or max-age=0
        // does not force a validation of a FRESH stored response. Reported in detail when it mattered.
        boolean ignoreReload = overrides.ignoreRequestNoCache() && fresh;
        String reloadIgnored = null;
        if (req.noCache()) {
            if (!ignoreReload) {
                // RFC 9111 §5.2.1.4 (and §5.4 Pragma): do not use a stored response without validation.
                return network(onlyIfCached, revalidate(request, selected, variants, ForwardReason.REQUEST, age,
                        ttl, "request no-cache"));
            }
            reloadIgnored = "ignored request no-cache";
        }
        if (res.noCache() && res.noCacheFields().isEmpty()) {
            // RFC 9111 §5.2.2.4: every reuse needs successful validation.
            return network(onlyIfCached, revalidate(request, selected, variants, ForwardReason.STALE, age, ttl,
                    "response no-cache"));
        }
        if (fresh) {
            // RFC 9111 §5.2.1.1 max-age and §5.2.1.3 min-fresh narrow what the client accepts.
            if (req.maxAge() != DeltaSeconds.ABSENT && age > req.maxAge()) {
                if (!(ignoreReload && req.maxAge() == 0)) {
                    return network(onlyIfCached, revalidate(request, selected, variants, ForwardReason.REQUEST, age,
                            ttl, "request max-age"));
                }
                reloadIgnored = reloadIgnored == null ? "ignored request max-age=0" : reloadIgnored + " max-age=0";
            }
            if (req.minFresh() != DeltaSeconds.ABSENT && ttl < req.minFresh()) {
                return network(onlyIfCached, revalidate(request, selected, variants, ForwardReason.REQUEST, age, ttl,
                        "request min-fresh"));
            }
            return selected.serve(age, ttl, reloadIgnored == null ? overrideDetail
                    : join(overrides.describe(reloadIgnored), overrideDetail));
        }

        long staleness = -ttl;
        boolean forbidden = res.forbidsStaleInSharedCache() && config.shared()
                || res.mustRevalidate() || (res.noCache() && res.noCacheFields().isEmpty());
        if (!forbidden) {
            // RFC 9111 §5.2.1.2: max-stale accepts a response stale by at most the given seconds; a
            // request max-age still bounds the age (§5.2.1.1).
            if (req.hasMaxStale() && staleness <= req.maxStale()
                    && (req.maxAge() == DeltaSeconds.ABSENT || age <= req.maxAge())) {
                return new CacheDecision.ServeStale(selected, StaleReason.MAX_STALE, age, ttl, null,
                        join("max-stale", overrideDetail));
            }
            // RFC 5861 §3: stale-while-revalidate window after the response became stale. A client that
            // constrains age (max-age, min-fresh) is not given a stale answer.
            if (res.staleWhileRevalidate() != DeltaSeconds.ABSENT && staleness <= res.staleWhileRevalidate()
                    && req.maxAge() == DeltaSeconds.ABSENT && req.minFresh() == DeltaSeconds.ABSENT) {
                return new CacheDecision.ServeStale(selected, StaleReason.WHILE_REVALIDATE, age, ttl,
                        ConditionalRequests.build(request, selected, variants),
                        join(StaleReason.WHILE_REVALIDATE.detail(), overrideDetail));
            }
        }
        return network(onlyIfCached, revalidate(request, selected, variants, ForwardReason.STALE, age, ttl,
                forbidden && (res.mustRevalidate() || res.proxyRevalidate()) ? "must-revalidate" : null));
    }

    /**
     * The stored response Vary selects for the request, the most recent one when several match
     * (RFC 9111 §4.1: by Date, then by the time received); null when none matches.
     */
    public static StoredResponse select(List<StoredResponse> variants, RequestHead request) {
        StoredResponse best = null;
        Instant bestDate = null;
        for (int i = 0; i < variants.size(); i++) { // by index: no iterator per request
            StoredResponse v = variants.get(i);
            if (!VaryNormalizer.matches(v, request)) {
                continue;
            }
            Instant d = v.dateValue();
            if (best == null || d.isAfter(bestDate)
                    || (d.equals(bestDate) && v.responseTime().isAfter(best.responseTime()))) {
                best = v;
                bestDate = d;
            }
        }
        return best;
    }

    /** A Forward decision carrying the sanitised request. */
    private static CacheDecision.Forward forward(RequestHead request, ForwardReason reason, String detail) {
        return new CacheDecision.Forward(reason, ForwardedFields.sanitize(request), detail);
    }

    /** Why a stored response must not be reused under this configuration, or null. */
    static String unusable(StoredResponse stored, CacheControl cc, PolicyConfig config) {
        if (cc.noStore() && !cc.mustUnderstand()) {
            return "no-store";
        }
        if (config.shared() && cc.isPrivate() && cc.privateFields().isEmpty()) {
            return "private";
        }
        if (stored.head().headers().contains("Set-Cookie")) {
            boolean shareable = config.setCookiePolicy() == SetCookiePolicy.STORE_WHEN_SHAREABLE
                    && (cc.isPublic() || cc.sMaxAge() != DeltaSeconds.ABSENT);
            if (!shareable) {
                return "set-cookie";
            }
        }
        return null;
    }

    private static CacheDecision revalidate(RequestHead request, StoredResponse selected, List<StoredResponse> variants,
                                            ForwardReason reason, long age, long ttl, String detail) {
        return new CacheDecision.Revalidate(selected, ConditionalRequests.build(request, selected, variants), reason,
                age, ttl, detail);
    }

    /** RFC 9111 §5.2.1.7: with only-if-cached, anything that needs the origin becomes a 504. */
    private static CacheDecision network(boolean onlyIfCached, CacheDecision d) {
        if (!onlyIfCached) {
            return d;
        }
        ForwardReason r = d instanceof CacheDecision.Forward ? ((CacheDecision.Forward) d).reason()
                : ((CacheDecision.Revalidate) d).reason();
        return new CacheDecision.GatewayTimeout(r, "only-if-cached");
    }

    static String join(String a, String b) {
        if (a == null) {
            return b;
        }
        return b == null ? a : a + "; " + b;
    }
}
