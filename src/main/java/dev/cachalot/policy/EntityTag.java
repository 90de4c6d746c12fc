package dev.cachalot.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An entity tag (RFC 9110 §8.8.3): an opaque quoted string, optionally weak ({@code W/}).
 *
 * @param opaque the characters between the quotes
 * @param weak   true for a weak validator
 */
public record EntityTag(String opaque, boolean weak) {

    public EntityTag {
        for (int i = 0; i < opaque.length(); i++) {
            if (!isEtagc(opaque.charAt(i))) {
                throw new IllegalArgumentException("invalid entity-tag character in: " + opaque);
            }
        }
    }

    /** Parses one entity-tag; empty when malformed. */
    public static Optional<EntityTag> parse(String s) {
        if (s == null) {
            return Optional.empty();
        }
        String t = s.trim();
        boolean weak = false;
        if (t.startsWith("W/")) {
            weak = true;
            t = t.substring(2);
        }
        if (t.length() < 2 || t.charAt(0) != '"' || t.charAt(t.length() - 1) != '"') {
            return Optional.empty();
        }
        String opaque = t.substring(1, t.length() - 1);
        for (int i = 0; i < opaque.length(); i++) {
            if (!isEtagc(opaque.charAt(i))) {
                return Optional.empty();
            }
        }
        return Optional.of(new EntityTag(opaque, weak));
    }

    /** etagc = "!" / %x23-7E / obs-text (RFC 9110 §8.8.3). */
    private static boolean isEtagc(char c) {
        return c == 0x21 || (c >= 0x23 && c <= 0x7e) || (c >= 0x80 && c <= 0xff);
    }

    /** Strong comparison (RFC 9110 §8.8.3.2): both strong and same opaque tag. */
    public boolean strongMatch(EntityTag other) {
        return !weak && !other.weak && opaque.equals(other.opaque);
    }

    /** Weak comparison (RFC 9110 §8.8.3.2): same opaque tag, weakness ignored. */
    public boolean weakMatch(EntityTag other) {
        return opaque.equals(other.opaque);
    }

    /** The field-value form: {@code "abc"} or {@code W/"abc"}. */
    public String format() {
        return (weak ? "W/\"" : "\"") + opaque + "\"";
    }

    @Override
    public String toString() {
        return format();
    }

    /**
     * The value of If-Match / If-None-Match (RFC 9110 §13.1.1, §13.1.2): "*" or a list of entity
     * tags. A syntactically invalid field is reported as {@link #valid} false.
     */
    public record Condition(boolean any, List<EntityTag> tags, boolean valid) {
        public Condition {
            tags = List.copyOf(tags);
        }

        /** Parses the combined field lines; null/empty input gives an invalid condition. */
        public static Condition parse(List<String> lines) {
            List<String> elements = new ArrayList<>();
            for (String l : lines) {
                dev.cachalot.http.HeaderFields.splitList(l, elements);
            }
            if (elements.isEmpty()) {
                return new Condition(false, List.of(), false);
            }
            if (elements.size() == 1 && elements.get(0).equals("*")) {
                return new Condition(true, List.of(), true);
            }
            List<EntityTag> tags = new ArrayList<>();
            for (String e : elements) {
                Optional<EntityTag> t = EntityTag.parse(e);
                if (t.isEmpty()) {
                    return new Condition(false, List.of(), false);
                }
                tags.add(t.get());
            }
            return new Condition(false, tags, true);
        }

        /** If-None-Match evaluation with weak comparison (RFC 9110 §13.1.2): true when some tag matches. */
        public boolean matchesWeak(EntityTag current) {
            if (any) {
                return true; // "*" matches any current representation; callers pass a stored one
            }
            if (current == null) {
                return false;
            }
            for (EntityTag t : tags) {
                if (t.weakMatch(current)) {
                    return true;
                }
            }
            return false;
        }

        /** If-Match evaluation with strong comparison (RFC 9110 §13.1.1). */
        public boolean matchesStrong(EntityTag current) {
            if (any) {
                return true; // "*" matches any current representation; callers pass a stored one
            }
            if (current == null) {
                return false;
            }
            for (EntityTag t : tags) {
                if (t.strongMatch(current)) {
                    return true;
                }
            }
            return false;
        }
    }
}
