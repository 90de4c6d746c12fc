package dev.cachalot.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A parsed {@code Range: bytes=...} value (RFC 9110 §14.1.2): a list of int-ranges
 * ({@code first-last}, {@code first-}) and suffix-ranges ({@code -length}).
 *
 * @param specs the range specs in request order
 */
public record ByteRangeSet(List<Spec> specs) {
    public ByteRangeSet {
        specs = List.copyOf(specs);
    }

    /**
     * One range spec.
     *
     * @param first  first byte position, or -1 for a suffix range
     * @param last   last byte position (inclusive), or -1 when open-ended / suffix
     * @param suffix suffix length for a suffix range, else -1
     */
    public record Spec(long first, long last, long suffix) {}

    /** A satisfiable range resolved against a representation length: [start, end] inclusive. */
    public record Resolved(long start, long end) {
        public long length() {
            return end - start + 1;
        }
    }

    /**
     * Parses a Range field value; empty when the unit is not "bytes" or the syntax is invalid
     * (RFC 9110 §14.2: an invalid Range is ignored). A range whose last is before its first is
     * invalid (§14.1.1), which invalidates the whole field.
     */
    public static Optional<ByteRangeSet> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String v = value.trim();
        int eq = v.indexOf('=');
        if (eq < 0 || !v.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals("bytes")) {
            return Optional.empty();
        }
        List<Spec> specs = new ArrayList<>();
        for (String part : v.substring(eq + 1).split(",", -1)) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue; // RFC 9110 §5.6.1: empty list elements are ignored
            }
            int dash = p.indexOf('-');
            if (dash < 0) {
                return Optional.empty();
            }
            String a = p.substring(0, dash);
            String b = p.substring(dash + 1);
            if (a.isEmpty()) {
                long suffix = digits(b);
                if (suffix < 0) {
                    return Optional.empty();
                }
                specs.add(new Spec(-1, -1, suffix));
            } else {
                long first = digits(a);
                long last = b.isEmpty() ? -1 : digits(b);
                if (first < 0 || (!b.isEmpty() && last < 0) || (last >= 0 && last < first)) {
                    return Optional.empty();
                }
                specs.add(new Spec(first, last, -1));
            }
        }
        return specs.isEmpty() ? Optional.empty() : Optional.of(new ByteRangeSet(specs));
    }

    private static long digits(String s) {
        if (s.isEmpty() || s.length() > 18) {
            return s.length() > 18 && s.chars().allMatch(Character::isDigit) ? Long.MAX_VALUE : -1;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(s);
    }

    /**
     * The satisfiable ranges against a representation of {@code length} bytes, clipped to it, in
     * request order (RFC 9110 §14.1.2). An int-range is satisfiable when first &lt; length; a suffix
     * range when its length is non-zero (and the representation is non-empty).
     */
    public List<Resolved> resolve(long length) {
        List<Resolved> out = new ArrayList<>();
        for (Spec s : specs) {
            if (s.first() < 0) {
                if (s.suffix() > 0 && length > 0) {
                    out.add(new Resolved(Math.max(0, length - s.suffix()), length - 1));
                }
            } else if (s.first() < length) {
                long end = s.last() < 0 ? length - 1 : Math.min(s.last(), length - 1);
                out.add(new Resolved(s.first(), end));
            }
        }
        return out;
    }

    /**
     * Coalesces overlapping or adjacent resolved ranges (RFC 9110 §15.3.7.2: a server MAY coalesce
     * overlapping ranges), sorted by start.
     */
    public static List<Resolved> coalesce(List<Resolved> ranges) {
        List<Resolved> sorted = new ArrayList<>(ranges);
        sorted.sort(Comparator.comparingLong(Resolved::start));
        List<Resolved> out = new ArrayList<>();
        for (Resolved r : sorted) {
            if (!out.isEmpty() && r.start() <= out.get(out.size() - 1).end() + 1) {
                Resolved last = out.remove(out.size() - 1);
                out.add(new Resolved(last.start(), Math.max(last.end(), r.end())));
            } else {
                out.add(r);
            }
        }
        return out;
    }

    /** True when any two resolved ranges overlap or touch. */
    public static boolean overlapping(List<Resolved> ranges) {
        return coalesce(ranges).size() != ranges.size();
    }
}
