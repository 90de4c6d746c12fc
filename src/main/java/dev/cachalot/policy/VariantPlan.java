package dev.cachalot.policy;

import dev.cachalot.http.RequestHead;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which stored variants of a URL to remove when a new response is stored (RFC 9111 §4.1): every
 * variant the new request would have selected is replaced by the new response, and then the
 * oldest variants are evicted until the configured per-URL cap leaves room for the new one.
 *
 * @param replaced indexes (into the existing list) the new response replaces
 * @param evicted  indexes evicted to respect {@link PolicyConfig#maxVariantsPerUrl()}
 */
public record VariantPlan(List<Integer> replaced, List<Integer> evicted) {
    public VariantPlan {
        replaced = List.copyOf(replaced);
        evicted = List.copyOf(evicted);
    }

    /** All indexes to remove. */
    public List<Integer> toRemove() {
        List<Integer> all = new ArrayList<>(replaced);
        all.addAll(evicted);
        return all;
    }

    /** Plans the insertion of a response for {@code request} into a URL that has {@code existing} variants. */
    public static VariantPlan forInsert(List<StoredResponse> existing, RequestHead request, PolicyConfig config) {
        List<Integer> replaced = new ArrayList<>();
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < existing.size(); i++) {
            if (VaryNormalizer.matches(existing.get(i), request)) {
                replaced.add(i);
            } else {
                kept.add(i);
            }
        }
        List<Integer> evicted = new ArrayList<>();
        int excess = kept.size() + 1 - config.maxVariantsPerUrl();
        if (excess > 0) {
            kept.sort(Comparator.comparing(i -> existing.get(i).responseTime()));
            evicted.addAll(kept.subList(0, excess));
        }
        return new VariantPlan(replaced, evicted);
    }
}
