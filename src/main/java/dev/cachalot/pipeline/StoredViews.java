package dev.cachalot.pipeline;

import dev.cachalot.http.ResponseHead;
import dev.cachalot.policy.CacheStatus;
import dev.cachalot.policy.StoredResponse;
import dev.cachalot.server.PreparedHead;
import dev.cachalot.store.StoredEntry;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link StoredResponse} per stored entry version, so the policy's parsed facts (dates,
 * validators, Vary, directives, lifetime) are computed once per entry rather than on every hit
 * (docs/policy.md). Keyed by entry id; a view is reused only for the same head version. Bounded:
 * when full it is simply cleared (views are cheap to rebuild).
 */
final class StoredViews {
    private static final class View {
        final int headVersion;
        final StoredResponse response;
        /** The request-independent part of a full 200 answer for HTTP/1.1 clients, built once. */
        volatile ResponseHead fullHead11;
        /** The last shaped hit head sent from this version, with the per-request inputs it was built from. */
        volatile HitHead hit;

        View(int headVersion, StoredResponse response) {
            this.headVersion = headVersion;
            this.response = response;
        }
    }

    private final ConcurrentHashMap<Long, View> views = new ConcurrentHashMap<>();
    private final int max;

    StoredViews(int max) {
        this.max = max;
    }

    /** The policy view of {@code entry}, cached by entry id and head version. */
    StoredResponse view(StoredEntry entry) {
        View v = views.get(entry.entryId());
        if (v != null && v.headVersion == entry.headVersion()) {
            return v.response;
        }
        StoredResponse r = StoreAdapter.toStoredResponse(entry);
        if (views.size() >= max) {
            views.clear();
        }
        views.put(entry.entryId(), new View(entry.headVersion(), r));
        return r;
    }

    /**
     * A shaped hit head and what it depends on besides the entry version: the base head, the Age,
     * our Cache-Status entry (its ttl) and the second of {@code now} (a Date added when the stored
     * head has none). All of them change at most once a second for one entry.
     */
    private record HitHead(ResponseHead base, long age, CacheStatus status, long second, PreparedHead prepared) {}

    /** The cached view of {@code entry} when {@code stored} is it (same version), else null. */
    private View current(StoredEntry entry, StoredResponse stored) {
        View v = views.get(entry.entryId());
        return v == null || v.response != stored || v.headVersion != entry.headVersion() ? null : v;
    }

    /**
     * The cached request-independent head of a full answer from {@code stored} to an HTTP/1.1
     * client (Via added, Accept-Ranges, client-hidden fields removed), or null when none is cached
     * yet or {@code stored} is not the cached view of {@code entry} (e.g. a 304-merged head).
     */
    ResponseHead fullHead11(StoredEntry entry, StoredResponse stored) {
        View v = current(entry, stored);
        return v == null ? null : v.fullHead11;
    }

    /** Remembers {@code built} as the full HTTP/1.1 head of {@code entry}'s version (if {@code stored} is current). */
    void fullHead11(StoredEntry entry, StoredResponse stored, ResponseHead built) {
        View v = current(entry, stored);
        if (v != null) {
            v.fullHead11 = built;
        }
    }

    /** The prepared hit head built from exactly these inputs for {@code entry}'s version, or null. */
    PreparedHead hitHead(StoredEntry entry, StoredResponse stored, ResponseHead base, long age, CacheStatus status,
                         long second) {
        View v = current(entry, stored);
        HitHead h = v == null ? null : v.hit;
        if (h != null && h.base == base && h.age == age && h.second == second && h.status.equals(status)) {
            return h.prepared;
        }
        return null;
    }

    /** Remembers {@code prepared} as the hit head for these inputs (replacing the previous one). */
    void hitHead(StoredEntry entry, StoredResponse stored, ResponseHead base, long age, CacheStatus status,
                 long second, PreparedHead prepared) {
        View v = current(entry, stored);
        if (v != null) {
            v.hit = new HitHead(base, age, status, second, prepared);
        }
    }
}
