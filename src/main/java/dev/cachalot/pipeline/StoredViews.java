package dev.cachalot.pipeline;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.ResponseHead;
import dev.cachalot.policy.CacheStatus;
import dev.cachalot.policy.DeltaSeconds;
import dev.cachalot.policy.PolicyConfig;
import dev.cachalot.policy.ResponseShaper;
import dev.cachalot.policy.StoredResponse;
import dev.cachalot.server.PreparedHead;
import dev.cachalot.store.StoredEntry;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link StoredResponse} per stored entry version, so the policy's parsed facts (dates,
 * validators, Vary, directives, lifetime) are computed once per entry rather than on every hit
 * (docs/policy.md). Keyed by entry id; a view is reused only for the same head version. Bounded:
 * when full it is simply cleared (views are cheap to rebuild).
 */
final class StoredViews {
    /** The cached facts of one entry version; callers may keep it for the rest of a request ({@link #lookup}). */
    static final class View {
        final int headVersion;
        final StoredResponse response;
        /** {@link #response} as a list of one: what policy is offered for a URL with one variant. */
        final List<StoredResponse> responses;
        /** The Cache-Status entry of the last fresh hit on this version ({@link #hitStatus}), or null. */
        volatile CacheStatus hitStatus;
        /** The head of the last hit on this version ({@link #hitHead}), or null. */
        volatile PreparedHead hitHead;
        /**
         * The request-independent part of a full 200 answer for HTTP/1.1 clients, kept only for the
         * answers that cannot use {@link #hit} (a body streamed from disk); a hit needs only the template.
         */
        volatile ResponseHead fullHead11;
        /** The hit head of this version without its per-request values; keyed by its Cache-Status entry minus ttl. */
        volatile PreparedHead.Template hit;

        View(int headVersion, StoredResponse response) {
            this.headVersion = headVersion;
            this.response = response;
            this.responses = List.of(response);
        }
    }

    private final ConcurrentHashMap<Long, View> views = new ConcurrentHashMap<>();
    private final int max;

    StoredViews(int max) {
        this.max = max;
    }

    /** The policy view of {@code entry}, cached by entry id and head version. */
    StoredResponse view(StoredEntry entry) {
        return lookup(entry).response;
    }

    /**
     * The cached facts of {@code entry}'s version (made and cached when missing). A request that
     * keeps it and hands it back as the {@code known} argument of the methods below spares them a
     * second lookup by entry id (the hit path).
     */
    View lookup(StoredEntry entry) {
        View v = views.get(entry.entryId());
        if (v != null && v.headVersion == entry.headVersion()) {
            return v;
        }
        v = new View(entry.headVersion(), StoreAdapter.toStoredResponse(entry));
        if (views.size() >= max) {
            views.clear();
        }
        views.put(entry.entryId(), v);
        return v;
    }

    /** The policy view that {@code v} holds. */
    static StoredResponse response(View v) {
        return v.response;
    }

    /** {@code response} as a list of one: {@code v}'s when it holds that response, else a new one. */
    static List<StoredResponse> responses(View v, StoredResponse response) {
        return v != null && v.response == response ? v.responses : List.of(response);
    }

    /**
     * The hit head from template {@code t} with these values: the head of the last hit on
     * {@code v}'s version (null: none known) when it has the same template and values (for a hot
     * version they change once a second), else a new one, remembered. Heads are immutable.
     */
    static PreparedHead hitHead(View v, PreparedHead.Template t, long age, long ttl, long second) {
        if (v == null) {
            return new PreparedHead(t, age, ttl, second);
        }
        PreparedHead h = v.hitHead;
        if (h != null && h.template() == t && h.age() == age && h.ttl() == ttl && h.second() == second) {
            return h;
        }
        h = new PreparedHead(t, age, ttl, second);
        v.hitHead = h;
        return h;
    }

    /**
     * {@link CacheStatus#hit} for a fresh hit on {@code v}'s version (null: none known): the entry of
     * the last hit on it when equal (for a hot version, the ttl changes once a second), else a new
     * one, remembered. Entries are immutable values, so sharing one changes nothing.
     */
    static CacheStatus hitStatus(View v, String cacheName, long ttl, String detail) {
        if (v == null) {
            return CacheStatus.hit(cacheName, ttl, detail);
        }
        CacheStatus st = v.hitStatus;
        if (st != null && st.ttl() == ttl && st.cacheName().equals(cacheName) && Objects.equals(st.detail(), detail)) {
            return st;
        }
        st = CacheStatus.hit(cacheName, ttl, detail);
        v.hitStatus = st;
        return st;
    }

    /**
     * The cached view of {@code entry} when {@code stored} is it (same version), else null;
     * {@code known} (a view from {@link #lookup}, or null) is taken when it is that view, without a map
     * lookup. A {@code known} that was since dropped from the map (a full map is cleared) is still
     * the right version's view: what it caches is per version, never stale.
     */
    private View current(View known, StoredEntry entry, StoredResponse stored) {
        if (known != null && known.response == stored && known.headVersion == entry.headVersion()) {
            return known;
        }
        View v = views.get(entry.entryId());
        return v == null || v.response != stored || v.headVersion != entry.headVersion() ? null : v;
    }

    /**
     * The cached request-independent head of a full answer from {@code stored} to an HTTP/1.1
     * client (Via added, Accept-Ranges, client-hidden fields removed), or null when none is cached
     * yet or {@code stored} is not the cached view of {@code entry} (e.g. a 304-merged head).
     */
    ResponseHead fullHead11(View known, StoredEntry entry, StoredResponse stored) {
        View v = current(known, entry, stored);
        return v == null ? null : v.fullHead11;
    }

    /** Remembers {@code built} as the full HTTP/1.1 head of {@code entry}'s version (if {@code stored} is current). */
    void fullHead11(View known, StoredEntry entry, StoredResponse stored, ResponseHead built) {
        View v = current(known, entry, stored);
        if (v != null) {
            v.fullHead11 = built;
        }
    }

    /**
     * The hit head template of {@code entry}'s version for the Cache-Status entry {@code status}
     * (its ttl aside: that is filled per request), or null when none is cached for it.
     */
    PreparedHead.Template hitTemplate(View known, StoredEntry entry, StoredResponse stored, CacheStatus status) {
        View v = current(known, entry, stored);
        PreparedHead.Template t = v == null ? null : v.hit;
        return t != null && sameButTtl((CacheStatus) t.key(), status) ? t : null;
    }

    /** Remembers {@code template} as the hit head template of {@code entry}'s version (replacing the previous one). */
    void hitTemplate(View known, StoredEntry entry, StoredResponse stored, PreparedHead.Template template) {
        View v = current(known, entry, stored);
        if (v != null) {
            v.hit = template;
        }
    }

    /** The key of the last template built, shared by the next ones when it matches theirs. */
    private static volatile CacheStatus lastKey = CacheStatus.gatewayTimeout("-", null);

    /** True when the two entries differ at most in their ttl (both have one). */
    private static boolean sameButTtl(CacheStatus a, CacheStatus b) {
        return a.hit() == b.hit() && a.fwd() == b.fwd() && a.fwdStatus() == b.fwdStatus() && a.stored() == b.stored()
                && a.collapsed() == b.collapsed() && a.shortStatus() == b.shortStatus()
                && (a.ttl() == null) == (b.ttl() == null) && a.cacheName().equals(b.cacheName())
                && Objects.equals(a.detail(), b.detail());
    }

    /**
     * The hit head template for answers from {@code base} (the client head of a stored entry
     * version) with Cache-Status entry {@code status}: the head {@link ResponseShaper} makes, with
     * Age (RFC 9111 §5.1), the entry (whose only varying part is the ttl, RFC 9211 §2.4) and a Date
     * the shaper adds (RFC 9110 §6.6.1) marked as per-request values. Null when the head cannot be
     * split so (no ttl, or the filled template does not reproduce the shaper's head exactly for this
     * request: then the caller shapes per request).
     */
    static PreparedHead.Template buildHitTemplate(ResponseHead base, long age, CacheStatus status, Instant now,
                                                  PolicyConfig policy) {
        if (status.ttl() == null) {
            return null;
        }
        ResponseHead shaped = ResponseShaper.shape(base, age, false, status, now, policy);
        // RFC 9211 §2: the entry is serialised in order, ttl before detail, so it is prefix + ttl + suffix.
        String bare = new CacheStatus(status.cacheName(), status.hit(), status.fwd(), status.fwdStatus(),
                status.stored(), status.collapsed(), null, null, status.shortStatus()).format();
        String noTtl = new CacheStatus(status.cacheName(), status.hit(), status.fwd(), status.fwdStatus(),
                status.stored(), status.collapsed(), null, status.detail(), status.shortStatus()).format();
        if (!noTtl.startsWith(bare)) {
            return null;
        }
        HeaderFields h = shaped.headers();
        int date = base.headers().contains("Date") ? -1 : lastIndexOf(h, "Date");
        // The key is matched ttl aside, so templates of different entries can share one (heap per entry).
        CacheStatus key = lastKey;
        if (!sameButTtl(key, status)) {
            key = status;
            lastKey = key;
        }
        PreparedHead.Template t = new PreparedHead.Template(shaped, lastIndexOf(h, "Age"), lastIndexOf(h, "Cache-Status"),
                bare + ";ttl=", noTtl.substring(bare.length()), date, key);
        PreparedHead check = new PreparedHead(t, DeltaSeconds.clamp(age), clampTtl(status.ttl()), now.getEpochSecond());
        return check.head().equals(shaped) ? t : null;
    }

    /** The ttl as {@link CacheStatus#format()} writes it. */
    static long clampTtl(long ttl) {
        return Math.max(-DeltaSeconds.MAX, Math.min(DeltaSeconds.MAX, ttl));
    }

    private static int lastIndexOf(HeaderFields h, String name) {
        for (int i = h.size() - 1; i >= 0; i--) {
            if (h.name(i).equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }
}
