package dev.cachalot.metrics;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A fixed set of label values: maps a word to its slot, case-insensitively, and every unknown word to
 * the "other" slot, so a misbehaving caller cannot create unbounded label values. Slot 0 is "other".
 */
final class Vocabulary {
    static final String OTHER = "other";

    private final List<String> labels;
    private final Map<String, Integer> slots = new HashMap<>();

    Vocabulary(Set<String> words) {
        TreeSet<String> sorted = new TreeSet<>();
        for (String w : words) {
            String lower = w.toLowerCase(Locale.ROOT);
            if (!lower.equals(OTHER)) {
                sorted.add(lower);
            }
        }
        String[] all = new String[sorted.size() + 1];
        all[0] = OTHER;
        int i = 1;
        for (String w : sorted) {
            all[i] = w;
            slots.put(w, i);
            slots.put(w.toUpperCase(Locale.ROOT), i);
            i++;
        }
        this.labels = List.of(all);
    }

    /** The slot of {@code word}; 0 ("other") when unknown or null. Allocates only for mixed-case words. */
    int slot(String word) {
        if (word == null) {
            return 0;
        }
        Integer s = slots.get(word);
        if (s == null) {
            s = slots.get(word.toLowerCase(Locale.ROOT));
        }
        return s == null ? 0 : s;
    }

    String label(int slot) {
        return labels.get(slot);
    }

    int size() {
        return labels.size();
    }
}
