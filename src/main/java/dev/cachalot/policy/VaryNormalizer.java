package dev.cachalot.policy;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.RequestHead;
import dev.cachalot.http.ResponseHead;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Vary (RFC 9111 §4.1): which request fields select a stored response, and how their values are
 * normalised before comparison. Normalisation does only what the field syntax allows: combining
 * field lines, removing optional whitespace, and lower-casing values of the Accept family whose
 * tokens are case-insensitive. Order is kept (it may carry preference). A field absent in both
 * requests matches; absent in one only does not.
 */
public final class VaryNormalizer {
    private VaryNormalizer() {}

    /** List-based fields whose values are case-insensitive tokens (RFC 9110 §12.5). */
    private static final Set<String> CASE_INSENSITIVE_LISTS = Set.of("accept", "accept-encoding", "accept-language",
            "accept-charset");

    /** The lower-case field names listed in Vary, without duplicates; "*" included when present. */
    public static List<String> varyNames(HeaderFields responseHeaders) {
        List<String> out = new ArrayList<>();
        for (String n : responseHeaders.listElements("Vary")) {
            String l = n.toLowerCase(Locale.ROOT);
            if (!out.contains(l)) {
                out.add(l);
            }
        }
        return out;
    }

    /** True when Vary contains "*" (RFC 9111 §4.1: always fails to match). */
    public static boolean isVaryStar(HeaderFields responseHeaders) {
        return varyNames(responseHeaders).contains("*");
    }

    /** The request's field lines named by the response's Vary: what a store keeps to match later requests. */
    public static HeaderFields selectingHeaders(ResponseHead response, RequestHead request) {
        List<String> names = varyNames(response.headers());
        if (names.isEmpty()) {
            return HeaderFields.empty();
        }
        HeaderFields.Builder b = HeaderFields.builder();
        for (String n : names) {
            for (String v : request.headers().all(n)) {
                b.add(n, v);
            }
        }
        return b.build();
    }

    /**
     * The normalised value of a selecting field, or null when the field is absent.
     *
     * @param name  the field name (any case)
     * @param lines the field lines in order
     */
    public static String normalize(String name, List<String> lines) {
        if (lines.isEmpty()) {
            return null;
        }
        String n = name.toLowerCase(Locale.ROOT);
        if (CASE_INSENSITIVE_LISTS.contains(n)) {
            List<String> elements = new ArrayList<>();
            for (String l : lines) {
                HeaderFields.splitList(l, elements);
            }
            StringBuilder sb = new StringBuilder();
            for (String e : elements) {
                if (sb.length() > 0) {
                    sb.append(',');
                }
                sb.append(stripParameterWhitespace(e).toLowerCase(Locale.ROOT));
            }
            return sb.toString();
        }
        if (n.equals("cookie")) {
            // RFC 9113 §8.2.3 / RFC 6265 §5.4: cookie-pairs joined with "; ".
            List<String> pairs = new ArrayList<>();
            for (String l : lines) {
                for (String p : l.split(";")) {
                    String t = p.strip();
                    if (!t.isEmpty()) {
                        pairs.add(t);
                    }
                }
            }
            return String.join("; ", pairs);
        }
        List<String> trimmed = new ArrayList<>(lines.size());
        for (String l : lines) {
            trimmed.add(l.strip());
        }
        return String.join(", ", trimmed);
    }

    /** Removes optional whitespace around ';' and '=' in a list element (RFC 9110 §5.6.6 parameters). */
    private static String stripParameterWhitespace(String e) {
        StringBuilder sb = new StringBuilder(e.length());
        boolean quoted = false;
        for (int i = 0; i < e.length(); i++) {
            char c = e.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            }
            if (!quoted && (c == ' ' || c == '\t')) {
                continue;
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /**
     * True when the stored response may be selected for this request (RFC 9111 §4.1): every field
     * named in its Vary has the same normalised value in both requests, and Vary is not "*".
     */
    public static boolean matches(StoredResponse stored, RequestHead request) {
        List<String> names = stored.varyNames();
        for (int i = 0; i < names.size(); i++) {
            String n = names.get(i);
            if (n.equals("*")) {
                return false;
            }
            String a = stored.normalizedSelecting(i);
            String b = normalize(n, request.headers().all(n));
            if (a == null ? b != null : !a.equals(b)) {
                return false;
            }
        }
        return true;
    }
}
