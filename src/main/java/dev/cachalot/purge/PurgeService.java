package dev.cachalot.purge;

import dev.cachalot.http.HttpDates;
import dev.cachalot.http.RequestHead;
import dev.cachalot.pipeline.StoreAdapter;
import dev.cachalot.policy.Freshness;
import dev.cachalot.policy.PolicyConfig;
import dev.cachalot.policy.RouteOverrides;
import dev.cachalot.policy.StoredResponse;
import dev.cachalot.store.CacheStore;
import dev.cachalot.store.EntryHead;
import dev.cachalot.store.ReplaceOutcome;
import dev.cachalot.store.StoreKey;
import dev.cachalot.store.StoredEntry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Purge by exact URL: every stored variant of the URL's primary cache key is removed (hard) or
 * made stale (soft). The key is built by the pipeline's own code, so a purge hits exactly what a
 * client request for the same URL would look up. Every purge writes one line to the audit logger
 * {@value #AUDIT_LOGGER}: who, through which door, what, and how many entries.
 *
 * <p><b>Soft purge</b> needs no marker the policy would have to learn: the stored request and
 * response times are moved back so that, under the real policy, the entry's current age equals its
 * freshness lifetime at the purge instant (RFC 9111 §4.2: fresh only while lifetime &gt; age). The
 * entry thus "expired when it was purged": the next request revalidates it with its validators
 * (RFC 9111 §4.3.1), stale-if-error and stale-while-revalidate windows (RFC 5861) start counting
 * at the purge, and the {@code Age} sent with a stale copy says honestly that it is past its
 * lifetime. Body, header fields, validators and retention are unchanged; a 304 or a new response
 * replaces the times as usual.
 */
public final class PurgeService {
    /** The SLF4J logger every purge (and refused purge attempt) is written to. */
    public static final String AUDIT_LOGGER = "cachalot.audit";

    private static final Logger AUDIT = LoggerFactory.getLogger(AUDIT_LOGGER);
    /** Compare-and-swap attempts per variant before a soft purge gives up on it. */
    private static final int CAS_ATTEMPTS = 3;

    private final CacheStore store;
    private final PolicyConfig policy;
    private final Function<String, RouteOverrides> overridesByAuthority;
    private final InstantSource clock;

    /**
     * @param store                the cache store the pipeline uses (all tiers)
     * @param policy               the pipeline's policy configuration
     * @param overridesByAuthority the route overrides that apply to requests for a Host (the
     *                             route the virtual-host table picks for it); a forced TTL changes
     *                             the freshness lifetime a soft purge must use up. Null or
     *                             {@link RouteOverrides#NONE} results are fine.
     * @param clock                the pipeline's time source
     */
    public PurgeService(CacheStore store, PolicyConfig policy, Function<String, RouteOverrides> overridesByAuthority,
                        InstantSource clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.overridesByAuthority = Objects.requireNonNull(overridesByAuthority, "overridesByAuthority");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Purges an absolute URL given to the admin API.
     *
     * @param who the admin client's address (audit)
     * @throws IllegalArgumentException when the URL is not an absolute http(s) URL without fragment
     */
    public PurgeResult purgeUrl(String url, PurgeMode mode, String who) {
        RequestHead head = PurgeUrls.requestFor(url);
        RouteOverrides o = overridesByAuthority.apply(head.authority());
        return purge(head, mode, o == null ? RouteOverrides.NONE : o, who, "admin");
    }

    /**
     * Purges every variant stored for the target of {@code request}.
     *
     * @param overrides the overrides of the request's route
     * @param who       the client's address (audit)
     * @param via       which door the purge came through ("admin", "method"), for the audit line
     */
    public PurgeResult purge(RequestHead request, PurgeMode mode, RouteOverrides overrides, String who, String via) {
        StoreKey primary = StoreAdapter.primaryKey(request);
        String target = new String(primary.primary(), StandardCharsets.UTF_8);
        PurgeResult result = switch (mode) {
            case HARD -> new PurgeResult(target, mode, store.removeAll(primary), 0);
            case SOFT -> softPurge(target, primary, overrides);
        };
        AUDIT.info("purge who={} via={} mode={} url={} purged={} failed={}", who, via,
                mode.name().toLowerCase(Locale.ROOT), target, result.purged(), result.failed());
        return result;
    }

    /** Writes the audit line of a refused purge attempt. */
    public static void auditRefused(String who, String via, String url, String reason) {
        AUDIT.warn("purge-refused who={} via={} url={} reason={}", who, via, url, reason);
    }

    private PurgeResult softPurge(String target, StoreKey primary, RouteOverrides overrides) {
        int purged = 0;
        int failed = 0;
        for (StoreKey key : store.listVariants(primary)) {
            switch (markStale(key, overrides)) {
                case MARKED -> purged++;
                case FAILED -> failed++;
                case GONE -> { }
            }
        }
        return new PurgeResult(target, PurgeMode.SOFT, purged, failed);
    }

    /** What marking one variant stale came to. */
    private enum Mark {
        /** The entry is stale now (it was already, or its head was replaced). */
        MARKED,
        /** The entry is no longer stored (expired, replaced by another variant key, removed). */
        GONE,
        /** The store failed, or the entry changed under every attempt. */
        FAILED
    }

    private Mark markStale(StoreKey key, RouteOverrides overrides) {
        for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
            Instant now = clock.instant();
            Optional<StoredEntry> found = store.lookup(key, now);
            if (found.isEmpty()) {
                return Mark.GONE;
            }
            StoredEntry entry = found.get();
            StoredResponse view = StoreAdapter.toStoredResponse(entry);
            long shift = secondsToExpire(view, now, overrides);
            if (shift == 0) {
                return Mark.MARKED;
            }
            if (shift < 0) {
                return Mark.FAILED;
            }
            EntryHead old = entry.head();
            EntryHead stale = old.withTimes(old.requestTime().minusSeconds(shift),
                    old.responseTime().minusSeconds(shift), old.retainUntil());
            ReplaceOutcome r = store.replaceHead(entry, stale, now);
            switch (r) {
                case REPLACED:
                    return Mark.MARKED;
                case NOT_FOUND:
                    return Mark.GONE;
                case FAILED:
                    return Mark.FAILED;
                case CONFLICT:
                    break; // a 304 merge or a new response won the race: look again
                default:
                    throw new IllegalStateException("unexpected replace outcome " + r);
            }
        }
        return Mark.FAILED;
    }

    /**
     * How many seconds the stored times must move back for the entry to be stale at {@code now}
     * under the policy: 0 when it already is, -1 when no shift achieves it (cannot happen with the
     * current policy; guarded so a future rule cannot make a soft purge silently ineffective).
     */
    private long secondsToExpire(StoredResponse view, Instant now, RouteOverrides overrides) {
        long remaining = Freshness.remaining(view, now, policy, overrides);
        if (remaining <= 0) {
            return 0;
        }
        // RFC 9111 §4.2.3: current_age = max(apparent_age, corrected_age_value) + resident_time.
        // Moving response_time back by d adds d to resident_time but may take up to apparent_age
        // (response_time - Date) off the first term, so that much is added on top.
        Instant date = HttpDates.parse(view.head().headers().first("Date")).orElse(view.responseTime());
        long apparentAge = Math.max(0, Duration.between(date, view.responseTime()).getSeconds());
        long shift = remaining + apparentAge;
        for (int i = 0; i < 4; i++) {
            StoredResponse moved = view.updated(view.head(), view.requestTime().minusSeconds(shift),
                    view.responseTime().minusSeconds(shift));
            long left = Freshness.remaining(moved, now, policy, overrides);
            if (left <= 0) {
                return shift;
            }
            shift += left;
        }
        return -1;
    }
}
