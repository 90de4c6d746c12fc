package dev.cachalot.policy;

import dev.cachalot.http.HeaderFields;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The parsed Cache-Control directives of one message (RFC 9111 §5.2), request or response. Numeric
 * directives hold seconds or {@link DeltaSeconds#ABSENT}; an unbounded {@code max-stale} is
 * {@link DeltaSeconds#MAX}.
 *
 * <p>Parsing rules, applied once here so policy never re-reads raw strings:
 * <ul>
 *   <li>Directive names are case-insensitive (RFC 9111 §5.2); arguments may be tokens or quoted
 *       strings for every directive (RFC 9111 §5.2: recipients accept both forms).</li>
 *   <li>Duplicate directives: the FIRST occurrence wins (RFC 9111 §4.2.1 allows "the first
 *       occurrence should be used or the response should be considered stale"; we pick first and
 *       apply the same rule to every directive so request and response parsing agree).</li>
 *   <li>An invalid {@code max-age} or {@code s-maxage} argument (not delta-seconds) becomes 0, so the
 *       response is stale (RFC 9111 §4.2.1: "caches are encouraged to consider responses that have
 *       invalid freshness information to be stale"); other invalid arguments make the directive
 *       absent. The names of directives with invalid arguments are kept in {@link #invalid()}.</li>
 *   <li>Values beyond 2^31 become 2^31 (RFC 9111 §1.2.2).</li>
 *   <li>{@code no-cache} and {@code private} may carry a field-name list (RFC 9111 §5.2.2.4,
 *       §5.2.2.7); names are kept lower case.</li>
 * </ul>
 */
public record CacheControl(
        long maxAge,
        long sMaxAge,
        long maxStale,
        long minFresh,
        long staleWhileRevalidate,
        long staleIfError,
        boolean noCache,
        List<String> noCacheFields,
        boolean noStore,
        boolean noTransform,
        boolean onlyIfCached,
        boolean mustRevalidate,
        boolean proxyRevalidate,
        boolean mustUnderstand,
        boolean isPublic,
        boolean isPrivate,
        List<String> privateFields,
        boolean immutable,
        Map<String, String> extensions,
        Set<String> invalid) {

    private static final long A = DeltaSeconds.ABSENT;

    /** No directives at all. */
    public static final CacheControl EMPTY = new CacheControl(A, A, A, A, A, A, false, List.of(), false, false,
            false, false, false, false, false, false, List.of(), false, Map.of(), Set.of());

    public CacheControl {
        noCacheFields = List.copyOf(noCacheFields);
        privateFields = List.copyOf(privateFields);
        extensions = Collections.unmodifiableMap(new LinkedHashMap<>(extensions));
        invalid = Collections.unmodifiableSet(new LinkedHashSet<>(invalid));
    }

    /** Parses every Cache-Control line of these fields (RFC 9110 §5.3 combination). */
    public static CacheControl parse(HeaderFields headers) {
        return parse(headers, "Cache-Control");
    }

    /** Parses every line of the named field as Cache-Control syntax. */
    public static CacheControl parse(HeaderFields headers, String fieldName) {
        List<String> values = headers.all(fieldName);
        if (values.isEmpty()) {
            return EMPTY;
        }
        Parser p = new Parser();
        for (String v : values) {
            List<String> elements = new ArrayList<>();
            HeaderFields.splitList(v, elements);
            for (String e : elements) {
                int eq = e.indexOf('=');
                if (eq < 0) {
                    p.directive(e.trim().toLowerCase(Locale.ROOT), null);
                } else {
                    p.directive(e.substring(0, eq).trim().toLowerCase(Locale.ROOT), unquote(e.substring(eq + 1).trim()));
                }
            }
        }
        return p.build();
    }

    /** Parses one Cache-Control field value. */
    public static CacheControl parse(String value) {
        return value == null ? EMPTY : parse(HeaderFields.of("Cache-Control", value));
    }

    /**
     * Builds directives from a parsed RFC 8941 dictionary, as used by targeted cache-control fields
     * (RFC 9213 §2.1): booleans are flags, integers and strings/tokens are arguments.
     */
    static CacheControl fromDictionary(Map<String, Object> dict) {
        Parser p = new Parser();
        for (Map.Entry<String, Object> e : dict.entrySet()) {
            Object v = e.getValue();
            if (Boolean.TRUE.equals(v)) {
                p.directive(e.getKey(), null);
            } else if (Boolean.FALSE.equals(v)) {
                continue; // RFC 8941: a false boolean is an explicit "not set"
            } else if (v instanceof Long) {
                long l = (Long) v;
                p.directive(e.getKey(), l < 0 ? "-" : Long.toString(l));
            } else if (v instanceof StructuredFields.Token) {
                p.directive(e.getKey(), ((StructuredFields.Token) v).value());
            } else if (v instanceof String) {
                p.directive(e.getKey(), (String) v);
            } else {
                p.directive(e.getKey(), "?"); // decimals, byte sequences, inner lists: invalid argument
            }
        }
        return p.build();
    }

    /** Removes the quotes and backslash escapes of a quoted-string (RFC 9110 §5.6.4); tokens pass through. */
    static String unquote(String s) {
        if (s.length() >= 2 && s.charAt(0) == '"' && s.charAt(s.length() - 1) == '"') {
            StringBuilder sb = new StringBuilder(s.length());
            for (int i = 1; i < s.length() - 1; i++) {
                char c = s.charAt(i);
                if (c == '\\' && i + 1 < s.length() - 1) {
                    c = s.charAt(++i);
                }
                sb.append(c);
            }
            return sb.toString();
        }
        return s;
    }

    /** True when {@code max-stale} was present. */
    public boolean hasMaxStale() {
        return maxStale != A;
    }

    /** True when any directive forbids serving this response stale without validation in a shared cache. */
    public boolean forbidsStaleInSharedCache() {
        // RFC 9111 §5.2.2.2 must-revalidate, §5.2.2.8 proxy-revalidate, §5.2.2.10 s-maxage implies
        // proxy-revalidate, §5.2.2.4 unqualified no-cache requires validation for every reuse.
        return mustRevalidate || proxyRevalidate || sMaxAge != A || (noCache && noCacheFields.isEmpty());
    }

    /** A copy without the named directives (lower-case names), for route overrides. */
    public CacheControl without(Set<String> names) {
        if (names.isEmpty()) {
            return this;
        }
        return parse(format(names));
    }

    /** Formats the directives as a Cache-Control field value in a canonical order. */
    public String format() {
        return format(Set.of());
    }

    private String format(Set<String> skip) {
        List<String> out = new ArrayList<>();
        num(out, skip, "max-age", maxAge);
        num(out, skip, "s-maxage", sMaxAge);
        if (maxStale != A && !skip.contains("max-stale")) {
            out.add(maxStale == DeltaSeconds.MAX ? "max-stale" : "max-stale=" + maxStale);
        }
        num(out, skip, "min-fresh", minFresh);
        num(out, skip, "stale-while-revalidate", staleWhileRevalidate);
        num(out, skip, "stale-if-error", staleIfError);
        fields(out, skip, "no-cache", noCache, noCacheFields);
        flag(out, skip, "no-store", noStore);
        flag(out, skip, "no-transform", noTransform);
        flag(out, skip, "only-if-cached", onlyIfCached);
        flag(out, skip, "must-revalidate", mustRevalidate);
        flag(out, skip, "proxy-revalidate", proxyRevalidate);
        flag(out, skip, "must-understand", mustUnderstand);
        flag(out, skip, "public", isPublic);
        fields(out, skip, "private", isPrivate, privateFields);
        flag(out, skip, "immutable", immutable);
        for (Map.Entry<String, String> e : extensions.entrySet()) {
            if (skip.contains(e.getKey())) {
                continue;
            }
            out.add(e.getValue() == null ? e.getKey() : e.getKey() + "=" + quoteIfNeeded(e.getValue()));
        }
        return String.join(", ", out);
    }

    private static void num(List<String> out, Set<String> skip, String name, long v) {
        if (v != A && !skip.contains(name)) {
            out.add(name + "=" + v);
        }
    }

    private static void flag(List<String> out, Set<String> skip, String name, boolean v) {
        if (v && !skip.contains(name)) {
            out.add(name);
        }
    }

    private static void fields(List<String> out, Set<String> skip, String name, boolean v, List<String> names) {
        if (v && !skip.contains(name)) {
            out.add(names.isEmpty() ? name : name + "=\"" + String.join(", ", names) + "\"");
        }
    }

    private static String quoteIfNeeded(String v) {
        if (!v.isEmpty() && isToken(v)) {
            return v;
        }
        return "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** True when the text is an RFC 9110 §5.6.2 token. */
    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return format();
    }

    /** Accumulates directives, first occurrence wins. */
    private static final class Parser {
        private final Set<String> seen = new LinkedHashSet<>();
        private final Set<String> invalid = new LinkedHashSet<>();
        private final Map<String, String> ext = new LinkedHashMap<>();
        private long maxAge = A, sMaxAge = A, maxStale = A, minFresh = A, swr = A, sie = A;
        private boolean noCache, noStore, noTransform, onlyIfCached, mustRevalidate, proxyRevalidate,
                mustUnderstand, isPublic, isPrivate, immutable;
        private List<String> noCacheFields = List.of(), privateFields = List.of();

        void directive(String name, String arg) {
            if (name.isEmpty() || !seen.add(name)) {
                return; // RFC 9111 §4.2.1: first occurrence of a duplicate is used
            }
            switch (name) {
                case "max-age": maxAge = staleIfInvalid(name, arg); break;
                case "s-maxage": sMaxAge = staleIfInvalid(name, arg); break;
                case "max-stale":
                    // RFC 9111 §5.2.1.2: without an argument the client accepts any staleness
                    maxStale = arg == null ? DeltaSeconds.MAX : absentIfInvalid(name, arg);
                    break;
                case "min-fresh": minFresh = absentIfInvalid(name, arg); break;
                case "stale-while-revalidate": swr = absentIfInvalid(name, arg); break;
                case "stale-if-error": sie = absentIfInvalid(name, arg); break;
                case "no-cache":
                    noCache = true;
                    noCacheFields = fieldNames(arg);
                    break;
                case "private":
                    isPrivate = true;
                    privateFields = fieldNames(arg);
                    break;
                case "no-store": noStore = true; break;
                case "no-transform": noTransform = true; break;
                case "only-if-cached": onlyIfCached = true; break;
                case "must-revalidate": mustRevalidate = true; break;
                case "proxy-revalidate": proxyRevalidate = true; break;
                case "must-understand": mustUnderstand = true; break;
                case "public": isPublic = true; break;
                case "immutable": immutable = true; break;
                default: ext.put(name, arg);
            }
        }

        private long staleIfInvalid(String name, String arg) {
            long v = DeltaSeconds.parse(arg);
            if (v == A) {
                invalid.add(name);
                return 0; // RFC 9111 §4.2.1: invalid freshness information means stale
            }
            return v;
        }

        private long absentIfInvalid(String name, String arg) {
            long v = DeltaSeconds.parse(arg);
            if (v == A) {
                invalid.add(name);
            }
            return v;
        }

        private static List<String> fieldNames(String arg) {
            if (arg == null || arg.isBlank()) {
                return List.of();
            }
            List<String> raw = new ArrayList<>();
            HeaderFields.splitList(arg, raw);
            List<String> out = new ArrayList<>(raw.size());
            for (String r : raw) {
                String n = r.toLowerCase(Locale.ROOT);
                if (isToken(n) && !out.contains(n)) {
                    out.add(n);
                }
            }
            return out;
        }

        CacheControl build() {
            return new CacheControl(maxAge, sMaxAge, maxStale, minFresh, swr, sie, noCache, noCacheFields, noStore,
                    noTransform, onlyIfCached, mustRevalidate, proxyRevalidate, mustUnderstand, isPublic, isPrivate,
                    privateFields, immutable, ext, invalid);
        }
    }
}
