package dev.cachalot.policy;

import dev.cachalot.http.HttpDates;
import dev.cachalot.http.ResponseHead;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The freshness lifetime of a response (RFC 9111 §4.2.1), in order: a route's forced TTL
 * (opt-in override), then {@code s-maxage} (shared caches only), {@code max-age}, Expires minus
 * Date, and finally a heuristic (§4.2.2). Targeted fields (RFC 9213) have already replaced
 * Cache-Control in the {@link ResponseDirectives} passed in.
 */
public final class Freshness {
    private Freshness() {}

    /** Status codes that are heuristically cacheable (RFC 9110 §15.1). */
    public static final Set<Integer> HEURISTICALLY_CACHEABLE = Set.of(200, 203, 204, 206, 300, 301, 308, 404, 405,
            410, 414, 501);

    /** Where a freshness lifetime came from. */
    public enum Source {
        /** A route override forced the TTL. */
        OVERRIDE,
        /** s-maxage (RFC 9111 §5.2.2.10), shared caches only. */
        S_MAXAGE,
        /** max-age (RFC 9111 §5.2.2.1). */
        MAX_AGE,
        /** Expires minus Date (RFC 9111 §5.3). */
        EXPIRES,
        /** A fraction of the time since Last-Modified (RFC 9111 §4.2.2). */
        HEURISTIC,
        /** No freshness information: the response is stale from the start (no default TTL). */
        NONE
    }

    /**
     * A freshness lifetime.
     *
     * @param seconds non-negative lifetime in seconds (at most 2^31)
     * @param source  where it came from
     * @param detail  a short explanation for Cache-Status detail when it matters (override, invalid Expires), or null
     */
    public record Lifetime(long seconds, Source source, String detail) {
        /** True when the lifetime is explicit (not heuristic and not absent). */
        public boolean explicit() {
            return source != Source.HEURISTIC && source != Source.NONE;
        }
    }

    /** The freshness lifetime of a stored response. */
    public static Lifetime lifetime(StoredResponse stored, ResponseDirectives dirs, PolicyConfig config,
                                    RouteOverrides overrides) {
        return lifetime(stored.head(), dirs, stored.responseTime(), config, overrides);
    }

    /**
     * The freshness lifetime of a response head received at {@code responseTime} (used for Date
     * when the response has none, RFC 9111 §4.2.3 date_value).
     */
    public static Lifetime lifetime(ResponseHead head, ResponseDirectives dirs, Instant responseTime,
                                    PolicyConfig config, RouteOverrides overrides) {
        if (overrides.forceTtl() != null) {
            long s = DeltaSeconds.clamp(overrides.forceTtl().getSeconds());
            return new Lifetime(s, Source.OVERRIDE, overrides.describe("force-ttl=" + s));
        }
        CacheControl cc = dirs.cc();
        // RFC 9111 §4.2.1: s-maxage (shared caches) over max-age over Expires.
        if (config.shared() && cc.sMaxAge() != DeltaSeconds.ABSENT) {
            return new Lifetime(cc.sMaxAge(), Source.S_MAXAGE, cc.invalid().contains("s-maxage") ? "invalid s-maxage" : null);
        }
        if (cc.maxAge() != DeltaSeconds.ABSENT) {
            return new Lifetime(cc.maxAge(), Source.MAX_AGE, cc.invalid().contains("max-age") ? "invalid max-age" : null);
        }
        Instant date = HttpDates.parse(head.headers().first("Date")).orElse(responseTime);
        // RFC 9213 §2.2: when a targeted field applies, Cache-Control AND Expires are ignored.
        List<String> expires = dirs.source() == ResponseDirectives.Source.CACHE_CONTROL
                ? head.headers().all("Expires") : List.of();
        if (!expires.isEmpty()) {
            // RFC 9111 §4.2.1: first occurrence of a duplicated field is used (same choice as Cache-Control).
            Optional<Instant> exp = HttpDates.parse(expires.get(0));
            if (exp.isEmpty()) {
                // RFC 9111 §5.3: an invalid date, especially "0", represents a time in the past.
                return new Lifetime(0, Source.EXPIRES, "invalid expires");
            }
            return new Lifetime(DeltaSeconds.clamp(Duration.between(date, exp.get()).getSeconds()), Source.EXPIRES, null);
        }
        // RFC 9111 §4.2.2: heuristics only without explicit expiration, for heuristically cacheable
        // status codes or responses explicitly marked cacheable (public).
        if (HEURISTICALLY_CACHEABLE.contains(head.status()) || cc.isPublic()) {
            Optional<Instant> lm = HttpDates.parse(head.headers().first("Last-Modified"));
            if (lm.isPresent() && !lm.get().isAfter(date)) {
                long sinceModified = Duration.between(lm.get(), date).getSeconds();
                long h = (long) Math.floor(sinceModified * config.heuristicFraction());
                long cap = config.heuristicCap().getSeconds();
                return new Lifetime(DeltaSeconds.clamp(Math.min(h, cap)), Source.HEURISTIC, null);
            }
        }
        return new Lifetime(0, Source.NONE, null);
    }

    /**
     * True when the response carries explicit expiration (max-age, s-maxage in a shared cache, or
     * Expires unless a targeted field applies).
     */
    public static boolean hasExplicitExpiration(ResponseHead head, ResponseDirectives dirs, PolicyConfig config) {
        CacheControl cc = dirs.cc();
        return cc.maxAge() != DeltaSeconds.ABSENT || (config.shared() && cc.sMaxAge() != DeltaSeconds.ABSENT)
                || (dirs.source() == ResponseDirectives.Source.CACHE_CONTROL && head.headers().contains("Expires"));
    }

    /**
     * The remaining freshness of a stored response at {@code now} in seconds: lifetime minus current
     * age, negative when stale (the Cache-Status {@code ttl}, RFC 9211 §2.4).
     */
    public static long remaining(StoredResponse stored, Instant now, PolicyConfig config, RouteOverrides overrides) {
        return stored.lifetime(config, overrides).seconds() - AgeCalculator.currentAge(stored, now);
    }
}
