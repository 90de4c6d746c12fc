package dev.cachalot.purge;

import dev.cachalot.store.HeaderField;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The tags of a stored response: the values of its tag fields ({@code purge.tagHeaders}, e.g.
 * {@code Surrogate-Key: a b}, {@code Cache-Tag: a,b}), split on spaces, tabs and commas. Every
 * occurrence of every configured field counts. Field names are matched case-insensitively (RFC
 * 9110 §5.1), tags case-sensitively.
 */
final class EntryTags {
    private EntryTags() {}

    /** The tags in {@code fields} under any of {@code names}; empty when there are none. */
    static Set<String> of(List<HeaderField> fields, List<String> names) {
        Set<String> tags = null;
        for (HeaderField f : fields) {
            if (!isTagField(f.name(), names)) {
                continue;
            }
            String v = f.value();
            int i = 0;
            while (i < v.length()) {
                while (i < v.length() && isSeparator(v.charAt(i))) {
                    i++;
                }
                int start = i;
                while (i < v.length() && !isSeparator(v.charAt(i))) {
                    i++;
                }
                if (i > start) {
                    if (tags == null) {
                        tags = new HashSet<>();
                    }
                    tags.add(v.substring(start, i));
                }
            }
        }
        return tags == null ? Set.of() : tags;
    }

    private static boolean isTagField(String name, List<String> names) {
        for (String n : names) {
            if (n.equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isSeparator(char c) {
        return c == ' ' || c == ',' || c == '\t';
    }
}
