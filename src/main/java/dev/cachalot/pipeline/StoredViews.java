package dev.cachalot.pipeline;

import dev.cachalot.http.ResponseHead;
import dev.cachalot.policy.StoredResponse;
import dev.cachalot.store.StoredEntry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

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
     * The cached request-independent head of a full answer from {@code stored} to an HTTP/1.1
     * client (Via added, Accept-Ranges), built by {@code build} on first use; {@code build}'s result
     * directly when {@code stored} is not the cached view of {@code entry} (e.g. a 304-merged head).
     */
    ResponseHead fullHead11(StoredEntry entry, StoredResponse stored, Supplier<ResponseHead> build) {
        View v = views.get(entry.entryId());
        if (v == null || v.response != stored || v.headVersion != entry.headVersion()) {
            return build.get();
        }
        ResponseHead h = v.fullHead11;
        if (h == null) {
            h = build.get();
            v.fullHead11 = h;
        }
        return h;
    }
}
