package dev.cachalot.purge;

import dev.cachalot.http.RequestHead;
import dev.cachalot.pipeline.PurgeGate;
import dev.cachalot.pipeline.StoreAdapter;
import dev.cachalot.policy.PolicyConfig;
import dev.cachalot.policy.RequestRules;
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
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Purges: by exact URL, acting on the store at once, and by tag, URL prefix or host, recorded as
 * bans ({@link BanList}) that the lookup applies lazily ({@link #gate()}) and the
 * {@link BanSweeper} applies to the whole store in the background, so a purge of any number of
 * objects costs one appended line. By exact URL: every stored variant of the URL's primary cache key is removed (hard) or
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

    /** How often the ban sweeper walks the store while bans are active (also right after each ban). */
    public static final Duration SWEEP_INTERVAL = Duration.ofSeconds(30);

    private static final Logger AUDIT = LoggerFactory.getLogger(AUDIT_LOGGER);
    /** Compare-and-swap attempts per variant before a soft purge gives up on it. */
    private static final int CAS_ATTEMPTS = 3;

    private final CacheStore store;
    private final PolicyConfig policy;
    private final Function<String, RouteOverrides> overridesByAuthority;
    private final InstantSource clock;
    private final BanList bans;
    private final BanGate gate;
    private final BanSweeper sweeper;
    private final LongAdder urlPurges = new LongAdder();
    private final LongAdder urlSoftPurges = new LongAdder();
    private final Map<BanKind, LongAdder[]> banPurges = new EnumMap<>(BanKind.class);
    /** Key rules (the forward proxy's StoreID): an object may be stored under a key other than its URL. */
    private final RequestRules keyRules;
    /** The route whose key rules a purge given to the admin API follows (it names no route itself). */
    private final String adminRoute;

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
        this(store, policy, overridesByAuthority, clock, BanList.inMemory(clock), PurgeConfig.DEFAULTS.tagHeaders());
    }

    /**
     * @param bans       the ban list (persisted in the cache directory: {@link BanList#open})
     * @param tagHeaders the response fields that carry an entry's tags ({@code purge.tagHeaders})
     */
    public PurgeService(CacheStore store, PolicyConfig policy, Function<String, RouteOverrides> overridesByAuthority,
                        InstantSource clock, BanList bans, List<String> tagHeaders) {
        this(store, policy, overridesByAuthority, clock, bans, tagHeaders, RequestRules.NONE, null);
    }

    /**
     * @param keyRules   the rules that may store a request under another key than its URL (the
     *                   forward proxy's {@code forward.storeIds}, as given to that listener's
     *                   pipeline): a purge of a URL also purges the key its rule gives it
     * @param adminRoute the route whose key rules a purge by the admin API follows (the forward
     *                   listener's), or null for none
     */
    public PurgeService(CacheStore store, PolicyConfig policy, Function<String, RouteOverrides> overridesByAuthority,
                        InstantSource clock, BanList bans, List<String> tagHeaders, RequestRules keyRules,
                        String adminRoute) {
        this.keyRules = Objects.requireNonNull(keyRules, "keyRules");
        this.adminRoute = adminRoute;
        this.store = Objects.requireNonNull(store, "store");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.overridesByAuthority = Objects.requireNonNull(overridesByAuthority, "overridesByAuthority");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.bans = Objects.requireNonNull(bans, "bans");
        this.gate = new BanGate(bans, policy, tagHeaders);
        this.sweeper = new BanSweeper(store, bans, gate, a -> {
            RouteOverrides o = overridesByAuthority.apply(a);
            return o == null ? RouteOverrides.NONE : o;
        }, clock);
        for (BanKind k : BanKind.values()) {
            banPurges.put(k, new LongAdder[] {new LongAdder(), new LongAdder()});
        }
    }

    /** The check the caching pipeline runs on every lookup and after every fill (give it to the pipeline). */
    public PurgeGate gate() {
        return gate;
    }

    /** The background applier of bans; {@link BanSweeper#start} it, close it before the store. */
    public BanSweeper sweeper() {
        return sweeper;
    }

    /**
     * Purges by tag, URL prefix or host: records a ban, effective at once for every lookup and
     * persisted before this returns.
     *
     * @param value the tag, the absolute URL prefix or the host name ({@link BanTargets#normalize})
     * @param who   the admin client's address (audit)
     * @param via   which door ("admin"), for the audit line
     * @throws IllegalArgumentException naming the value and the rule it breaks
     */
    public Ban purgeBy(BanKind kind, String value, PurgeMode mode, String who, String via) {
        String normalized = BanTargets.normalize(kind, value);
        Ban b = bans.add(kind, normalized, mode);
        banPurges.get(kind)[mode == PurgeMode.HARD ? 0 : 1].increment();
        AUDIT.info("purge who={} via={} mode={} {}={} ban={}", who, via, mode.name().toLowerCase(Locale.ROOT),
                kind.word(), normalized, b.id());
        sweeper.soon();
        return b;
    }

    /** One listed key: the cache key (URL), its variant ("" without Vary), body bytes and tier. */
    public record ListedKey(String url, String variant, long bytes, String tier) {}

    /** A page of listed keys; {@code truncated} when more matched than the limit. */
    public record KeyListing(List<ListedKey> keys, boolean truncated) {}

    /**
     * Lists stored keys (a diagnostic: walks the store), those a hard ban covers left out.
     *
     * @param prefix absolute URL prefix the keys must start with, or null
     * @param host   host the keys must name, or null
     * @param limit  most keys returned (at least 1)
     * @throws IllegalArgumentException for a bad prefix or host
     */
    public KeyListing keys(String prefix, String host, int limit) {
        String p = prefix == null ? null : BanTargets.normalize(BanKind.PREFIX, prefix);
        String h = host == null ? null : BanTargets.normalize(BanKind.HOST, host);
        Map<StoreKey, ListedKey> out = new LinkedHashMap<>();
        boolean[] truncated = {false};
        BanIndex index = bans.index();
        store.forEachEntry(clock.instant(), e -> {
            String url = BanGate.keyOf(e);
            if ((p != null && !url.startsWith(p)) || (h != null && !BanTargets.hostOf(url).equals(h))
                    || out.containsKey(e.key())) {
                return true;
            }
            Ban b = gate.banFor(e, index);
            if (b != null && b.mode() == PurgeMode.HARD) {
                return true;
            }
            if (out.size() == limit) {
                truncated[0] = true;
                return false;
            }
            out.put(e.key(), new ListedKey(url, new String(e.key().variant(), StandardCharsets.UTF_8),
                    e.bodyLength(), e.tier().name().toLowerCase(Locale.ROOT)));
            return true;
        });
        return new KeyListing(new ArrayList<>(out.values()), truncated[0]);
    }

    /** Purge counters and the ban list's state, for {@code /stats} and the metrics. */
    public Map<String, Object> stats() {
        Map<String, Object> purges = new LinkedHashMap<>();
        purges.put("url", Map.of("hard", urlPurges.sum(), "soft", urlSoftPurges.sum()));
        for (BanKind k : BanKind.values()) {
            LongAdder[] c = banPurges.get(k);
            purges.put(k.word(), Map.of("hard", c[0].sum(), "soft", c[1].sum()));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("purges", purges);
        out.put("bansActive", bans.active());
        out.put("recentUrlPurges", bans.recentUrlPurges());
        out.put("banFileCorruptLines", bans.corruptLines());
        out.put("banFileWriteFailed", bans.persistFailed());
        out.put("sweeps", sweeper.passes());
        out.put("sweptRemoved", sweeper.removed());
        out.put("sweptStale", sweeper.staled());
        out.put("bansRetired", sweeper.retired());
        return out;
    }

    /** Purges made since start of {@code kind} ("url", "tag", "prefix", "host") in {@code mode}. */
    public long purgeCount(String kind, PurgeMode mode) {
        if (kind.equals("url")) {
            return (mode == PurgeMode.HARD ? urlPurges : urlSoftPurges).sum();
        }
        BanKind k = BanKind.ofWord(kind);
        return k == null ? 0 : banPurges.get(k)[mode == PurgeMode.HARD ? 0 : 1].sum();
    }

    /** Bans not yet retired. */
    public int bansActive() {
        return bans.active();
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
        return purge(head, adminRoute, mode, o == null ? RouteOverrides.NONE : o, who, "admin");
    }

    /** As {@link #purge(RequestHead, String, PurgeMode, RouteOverrides, String, String)} without key rules. */
    public PurgeResult purge(RequestHead request, PurgeMode mode, RouteOverrides overrides, String who, String via) {
        return purge(request, null, mode, overrides, who, via);
    }

    /**
     * Purges every variant stored for the target of {@code request}: under its URL, and under the
     * key a key rule of {@code route} gives it (a StoreID rule stores the objects of several mirror
     * URLs under one key, so purging one of those URLs purges the shared object).
     *
     * @param route     the route the request came through (its key rules apply), or null for none
     * @param overrides the overrides of the request's route
     * @param who       the client's address (audit)
     * @param via       which door the purge came through ("admin", "method"), for the audit line
     */
    public PurgeResult purge(RequestHead request, String route, PurgeMode mode, RouteOverrides overrides, String who,
                             String via) {
        StoreKey primary = StoreAdapter.primaryKey(request);
        String target = new String(primary.primary(), StandardCharsets.UTF_8);
        RequestRules.Treatment t = route == null ? null : keyRules.treat(route, request);
        String rewritten = t == null ? null : t.key();
        (mode == PurgeMode.HARD ? urlPurges : urlSoftPurges).increment();
        PurgeResult result = purgeKey(target, primary, mode, overrides);
        if (rewritten != null) {
            StoreKey shared = StoreAdapter.primaryKey(rewritten);
            PurgeResult r = purgeKey(new String(shared.primary(), StandardCharsets.UTF_8), shared, mode, t.overrides());
            result = new PurgeResult(target, mode, result.purged() + r.purged(), result.failed() + r.failed());
        }
        if (rewritten == null) {
            AUDIT.info("purge who={} via={} mode={} url={} purged={} failed={}", who, via,
                    mode.name().toLowerCase(Locale.ROOT), target, result.purged(), result.failed());
        } else {
            AUDIT.info("purge who={} via={} mode={} url={} key={} purged={} failed={}", who, via,
                    mode.name().toLowerCase(Locale.ROOT), target, rewritten, result.purged(), result.failed());
        }
        return result;
    }

    private PurgeResult purgeKey(String target, StoreKey primary, PurgeMode mode, RouteOverrides overrides) {
        // Remembered first, so a fill still streaming the old object is removed when it commits.
        bans.urlPurged(target, mode);
        return switch (mode) {
            case HARD -> new PurgeResult(target, mode, store.removeAll(primary), 0);
            case SOFT -> softPurge(target, primary, overrides);
        };
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
            entry.close(); // only its head and identity are used: no body lease is kept
            StoredResponse view = StoreAdapter.toStoredResponse(entry);
            long shift = SoftExpiry.secondsToExpire(view, now, policy, overrides);
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
}
