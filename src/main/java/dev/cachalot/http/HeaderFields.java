package dev.cachalot.http;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * An immutable, ordered list of header field lines (RFC 9110 §5). Names keep the case they arrived
 * with for output and are matched case-insensitively. Repeated lines of one name stay separate;
 * {@link #combined(String)} joins them as RFC 9110 §5.3 allows for list-based fields.
 */
public final class HeaderFields {
    private static final HeaderFields EMPTY = new HeaderFields(new String[0]);

    /** Alternating name, value; names as received. */
    private final String[] nv;

    private HeaderFields(String[] nv) {
        this.nv = nv;
    }

    public static HeaderFields empty() {
        return EMPTY;
    }

    /** Builds from alternating name/value pairs: {@code of("Cache-Control", "max-age=60", ...)}. */
    public static HeaderFields of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values must come in pairs");
        }
        Builder b = builder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            b.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return b.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these fields, for edits. */
    public Builder toBuilder() {
        Builder b = new Builder();
        for (int i = 0; i < nv.length; i += 2) {
            b.add(nv[i], nv[i + 1]);
        }
        return b;
    }

    /** Number of field lines. */
    public int size() {
        return nv.length / 2;
    }

    public boolean isEmpty() {
        return nv.length == 0;
    }

    public String name(int index) {
        return nv[index * 2];
    }

    public String value(int index) {
        return nv[index * 2 + 1];
    }

    public boolean contains(String name) {
        return indexOf(name) >= 0;
    }

    /** The value of the first line with this name, or null. */
    public String first(String name) {
        int i = indexOf(name);
        return i < 0 ? null : nv[i + 1];
    }

    /** Every line's value for this name, in order. */
    public List<String> all(String name) {
        List<String> out = null;
        for (int i = 0; i < nv.length; i += 2) {
            if (nv[i].equalsIgnoreCase(name)) {
                if (out == null) {
                    out = new ArrayList<>(2);
                }
                out.add(nv[i + 1]);
            }
        }
        return out == null ? List.of() : Collections.unmodifiableList(out);
    }

    /** Number of lines carrying this name. */
    public int count(String name) {
        int n = 0;
        for (int i = 0; i < nv.length; i += 2) {
            if (nv[i].equalsIgnoreCase(name)) {
                n++;
            }
        }
        return n;
    }

    /** All lines of this name joined with ", " (RFC 9110 §5.3), or null when absent. */
    public String combined(String name) {
        String single = null;
        StringBuilder sb = null;
        for (int i = 0; i < nv.length; i += 2) {
            if (nv[i].equalsIgnoreCase(name)) {
                if (single == null && sb == null) {
                    single = nv[i + 1];
                } else {
                    if (sb == null) {
                        sb = new StringBuilder(single);
                    }
                    sb.append(", ").append(nv[i + 1]);
                }
            }
        }
        return sb != null ? sb.toString() : single;
    }

    /**
     * The comma-separated list elements of every line of this name, trimmed, empty elements
     * dropped (RFC 9110 §5.6.1). Quoted strings are kept intact.
     */
    public List<String> listElements(String name) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nv.length; i += 2) {
            if (nv[i].equalsIgnoreCase(name)) {
                splitList(nv[i + 1], out);
            }
        }
        return out;
    }

    /** Splits one field value on commas outside quoted strings, trimming OWS, dropping empties. */
    public static void splitList(String value, List<String> out) {
        int start = 0;
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (quoted) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    quoted = false;
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                addTrimmed(value, start, i, out);
                start = i + 1;
            }
        }
        addTrimmed(value, start, value.length(), out);
    }

    private static void addTrimmed(String s, int from, int to, List<String> out) {
        while (from < to && isOws(s.charAt(from))) {
            from++;
        }
        while (to > from && isOws(s.charAt(to - 1))) {
            to--;
        }
        if (to > from) {
            out.add(s.substring(from, to));
        }
    }

    private static boolean isOws(char c) {
        return c == ' ' || c == '\t';
    }

    /** A copy without any line of the given names. */
    public HeaderFields without(String... names) {
        Builder b = new Builder();
        outer:
        for (int i = 0; i < nv.length; i += 2) {
            for (String n : names) {
                if (nv[i].equalsIgnoreCase(n)) {
                    continue outer;
                }
            }
            b.add(nv[i], nv[i + 1]);
        }
        return b.size() == size() ? this : b.build();
    }

    /** A copy where every line of this name is replaced by a single line with this value. */
    public HeaderFields with(String name, String value) {
        return toBuilder().set(name, value).build();
    }

    /** Calls the consumer for every line, in order. */
    public void forEach(BiConsumer<String, String> consumer) {
        for (int i = 0; i < nv.length; i += 2) {
            consumer.accept(nv[i], nv[i + 1]);
        }
    }

    private int indexOf(String name) {
        for (int i = 0; i < nv.length; i += 2) {
            if (nv[i].equalsIgnoreCase(name)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof HeaderFields)) {
            return false;
        }
        HeaderFields other = (HeaderFields) o;
        if (other.nv.length != nv.length) {
            return false;
        }
        for (int i = 0; i < nv.length; i += 2) {
            if (!nv[i].equalsIgnoreCase(other.nv[i]) || !nv[i + 1].equals(other.nv[i + 1])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (int i = 0; i < nv.length; i += 2) {
            h = 31 * h + nv[i].toLowerCase(Locale.ROOT).hashCode();
            h = 31 * h + nv[i + 1].hashCode();
        }
        return h;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < nv.length; i += 2) {
            sb.append(nv[i]).append(": ").append(nv[i + 1]).append("\r\n");
        }
        return sb.toString();
    }

    /** Mutable builder; not thread-safe. */
    public static final class Builder {
        private final ArrayList<String> list = new ArrayList<>();

        private Builder() {}

        public Builder add(String name, String value) {
            list.add(Objects.requireNonNull(name, "name"));
            list.add(Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Removes every line of this name, then adds one line. */
        public Builder set(String name, String value) {
            remove(name);
            return add(name, value);
        }

        public Builder remove(String name) {
            for (int i = list.size() - 2; i >= 0; i -= 2) {
                if (list.get(i).equalsIgnoreCase(name)) {
                    list.remove(i + 1);
                    list.remove(i);
                }
            }
            return this;
        }

        public Builder addAll(HeaderFields fields) {
            for (int i = 0; i < fields.nv.length; i += 2) {
                add(fields.nv[i], fields.nv[i + 1]);
            }
            return this;
        }

        public int size() {
            return list.size() / 2;
        }

        public HeaderFields build() {
            return list.isEmpty() ? EMPTY : new HeaderFields(list.toArray(new String[0]));
        }
    }
}
