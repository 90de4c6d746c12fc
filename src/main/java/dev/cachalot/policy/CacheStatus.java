package dev.cachalot.policy;

/**
 * One Cache-Status entry (RFC 9211 §2) describing what this cache did, plus the matching short
 * status word. Build it with the factory for the outcome, then {@link #format()} it.
 *
 * @param cacheName   the cache's identifier (sf-token when possible, else sf-string)
 * @param hit         RFC 9211 §2.1: satisfied by the cache without going forward
 * @param fwd         RFC 9211 §2.2: why the request went forward, or null
 * @param fwdStatus   RFC 9211 §2.3: the status of the forward response, or 0
 * @param stored      RFC 9211 §2.5: the forward response was stored
 * @param collapsed   RFC 9211 §2.6: the forward request was collapsed with another
 * @param ttl         RFC 9211 §2.4: remaining freshness in seconds (negative when stale), or null
 * @param detail      RFC 9211 §2.8: why (not stored, not reused, override), or null
 * @param shortStatus the short status word
 */
public record CacheStatus(String cacheName, boolean hit, ForwardReason fwd, int fwdStatus, boolean stored,
                          boolean collapsed, Long ttl, String detail, ShortStatus shortStatus) {

    /** A fresh hit. */
    public static CacheStatus hit(String cacheName, long ttl, String detail) {
        return new CacheStatus(cacheName, true, null, 0, false, false, ttl, detail, ShortStatus.HIT);
    }

    /** A stale response served without waiting for the origin (stale-while-revalidate, max-stale). */
    public static CacheStatus staleHit(String cacheName, long ttl, String detail) {
        return new CacheStatus(cacheName, true, null, 0, false, false, ttl, detail, ShortStatus.STALE);
    }

    /** A stale response served because the origin failed (stale-if-error); fwdStatus 0 for connection errors. */
    public static CacheStatus staleOnError(String cacheName, ForwardReason fwd, int fwdStatus, long ttl, String detail) {
        return new CacheStatus(cacheName, false, fwd, fwdStatus, false, false, ttl, detail, ShortStatus.STALE);
    }

    /** A validation answered 304: the updated stored response was served. */
    public static CacheStatus revalidated(String cacheName, ForwardReason fwd, boolean stored, long ttl, String detail) {
        return new CacheStatus(cacheName, false, fwd, 304, stored, false, ttl, detail, ShortStatus.REVALIDATED);
    }

    /** The origin's response was delivered (miss, bypass, full response to a validation). */
    public static CacheStatus forwarded(String cacheName, ForwardReason fwd, int fwdStatus, boolean stored, Long ttl,
                                        String detail) {
        ShortStatus s = fwd == ForwardReason.BYPASS || fwd == ForwardReason.METHOD ? ShortStatus.BYPASS : ShortStatus.MISS;
        return new CacheStatus(cacheName, false, fwd, fwdStatus, stored, false, ttl, detail, s);
    }

    /** only-if-cached without a usable stored response: a 504 generated here, nothing forwarded. */
    public static CacheStatus gatewayTimeout(String cacheName, String detail) {
        return new CacheStatus(cacheName, false, null, 0, false, false, null, detail, ShortStatus.MISS);
    }

    /**
     * The entry for a decision answered without waiting for the origin: Serve (hit), ServeStale
     * (stale hit), GatewayTimeout. Revalidate and Forward outcomes depend on the origin's answer;
     * use {@link #revalidated}, {@link #forwarded} or {@link #staleOnError} once it is known.
     */
    public static CacheStatus of(CacheDecision decision, PolicyConfig config) {
        String name = config.cacheName();
        if (decision instanceof CacheDecision.Serve) {
            CacheDecision.Serve s = (CacheDecision.Serve) decision;
            return hit(name, s.ttl(), s.detail());
        }
        if (decision instanceof CacheDecision.ServeStale) {
            CacheDecision.ServeStale s = (CacheDecision.ServeStale) decision;
            return staleHit(name, s.ttl(), s.detail());
        }
        if (decision instanceof CacheDecision.GatewayTimeout) {
            return gatewayTimeout(name, ((CacheDecision.GatewayTimeout) decision).detail());
        }
        throw new IllegalArgumentException("outcome of " + decision.getClass().getSimpleName()
                + " depends on the origin response");
    }

    /** A copy marked collapsed (RFC 9211 §2.6). */
    public CacheStatus withCollapsed(boolean c) {
        return new CacheStatus(cacheName, hit, fwd, fwdStatus, stored, c, ttl, detail, shortStatus);
    }

    /** A copy with another detail. */
    public CacheStatus withDetail(String d) {
        return new CacheStatus(cacheName, hit, fwd, fwdStatus, stored, collapsed, ttl, d, shortStatus);
    }

    /** The serialised entry (RFC 8941 canonical form), e.g. {@code Cachalot;fwd=uri-miss;fwd-status=200;stored;ttl=60}. */
    public String format() {
        StringBuilder sb = new StringBuilder(64);
        Object name = StructuredFields.isToken(cacheName) ? new StructuredFields.Token(cacheName) : cacheName;
        StructuredFields.serializeBare(name, sb);
        if (hit) {
            sb.append(";hit");
        }
        if (fwd != null) {
            sb.append(";fwd=").append(fwd.token());
        }
        if (fwdStatus > 0) {
            sb.append(";fwd-status=").append(fwdStatus);
        }
        if (stored) {
            sb.append(";stored");
        }
        if (collapsed) {
            sb.append(";collapsed");
        }
        if (ttl != null) {
            sb.append(";ttl=").append(Math.max(-DeltaSeconds.MAX, Math.min(DeltaSeconds.MAX, ttl)));
        }
        if (detail != null && !detail.isEmpty()) {
            sb.append(";detail=");
            StructuredFields.serializeBare(StructuredFields.printable(detail), sb);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return format();
    }
}
