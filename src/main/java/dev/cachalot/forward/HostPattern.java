package dev.cachalot.forward;

import java.util.Locale;

/**
 * A destination host pattern: an exact name ({@code repo.example.com}), a suffix wildcard
 * ({@code *.example.com}, which matches sub-domains but not {@code example.com} itself), or
 * {@code *} for every host. Matching ignores case and a trailing dot.
 */
public record HostPattern(String text, boolean wildcard, String suffix) {

    /** Parses a pattern, refusing empty text and wildcards anywhere but a leading {@code *.}. */
    public static HostPattern parse(String text) {
        String t = text == null ? "" : normalize(text.trim());
        if (t.isEmpty()) {
            throw new IllegalArgumentException("empty host pattern");
        }
        if (t.equals("*")) {
            return new HostPattern(t, true, "");
        }
        if (t.startsWith("*.")) {
            String s = t.substring(1);
            if (s.length() < 2 || s.indexOf('*') >= 0) {
                throw new IllegalArgumentException("bad host pattern '" + text + "' (use name or *.suffix)");
            }
            return new HostPattern(t, true, s);
        }
        if (t.indexOf('*') >= 0) {
            throw new IllegalArgumentException("bad host pattern '" + text + "' (a wildcard only as leading *.)");
        }
        return new HostPattern(t, false, t);
    }

    /** True when {@code host} (a name or IP literal) matches. */
    public boolean matches(String host) {
        String h = normalize(host);
        if (!wildcard) {
            return h.equals(suffix);
        }
        return suffix.isEmpty() || (h.endsWith(suffix) && h.length() > suffix.length());
    }

    static String normalize(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    @Override
    public String toString() {
        return text;
    }
}
