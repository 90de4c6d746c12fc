package dev.cachalot.pipeline;

import dev.cachalot.policy.StoredResponse;
import dev.cachalot.store.StoredEntry;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link StoredResponse} per stored entry version, so the policy's parsed facts (dates,
 * validators, Vary, directives, lifetime) are computed once per entry rather than on every hit
 * (docs/policy.md). Keyed by entry id; a view is reused only for the same head version. Bounded:
 * when full it is simply cleared (views are cheap to rebuild).
 */
final class StoredViews {
    private record View(int headVersion, StoredResponse response) {}

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
}
