package dev.cachalot.policy;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Opt-in per-route deviations from what the origin said. Every reuse they cause is reported in the
 * Cache-Status {@code detail} ("override ...").
 *
 * @param forceTtl           when set, the freshness lifetime of responses on this route, replacing the
 *                           computed one (but never making a no-store/private response storable)
 * @param ignoredDirectives  response directives to ignore, lower case (e.g. "no-cache", "private", "no-store")
 * @param bypassPathPrefixes path prefixes that never touch the cache (fwd=bypass)
 * @param ignoreRequestNoCache when true, a request's {@code no-cache} (or {@code Pragma: no-cache}) and
 *                           {@code max-age=0} do not force a validation of a FRESH stored response
 *                           (Squid's {@code ignore-reload}; for clients such as Maven that send them on
 *                           every download of an immutable artifact)
 * @param rule               the name of the per-host rule these overrides come from, named in every
 *                           detail they produce, or null for a route's own overrides
 */
public record RouteOverrides(Duration forceTtl, Set<String> ignoredDirectives, List<String> bypassPathPrefixes,
                             boolean ignoreRequestNoCache, String rule) {
    /** No overrides: the origin's directives rule. */
    public static final RouteOverrides NONE = new RouteOverrides(null, Set.of(), List.of());

    /** A route's overrides (no rule name, request directives honoured). */
    public RouteOverrides(Duration forceTtl, Set<String> ignoredDirectives, List<String> bypassPathPrefixes) {
        this(forceTtl, ignoredDirectives, bypassPathPrefixes, false, null);
    }

    public RouteOverrides {
        if (forceTtl != null && forceTtl.isNegative()) {
            throw new IllegalArgumentException("forceTtl must not be negative, got " + forceTtl);
        }
        ignoredDirectives = ignoredDirectives.stream().map(s -> s.toLowerCase(Locale.ROOT))
                .collect(Collectors.toUnmodifiableSet());
        bypassPathPrefixes = List.copyOf(bypassPathPrefixes);
        for (String p : bypassPathPrefixes) {
            if (!p.startsWith("/")) {
                throw new IllegalArgumentException("bypass path prefix must start with '/', got '" + p + "'");
            }
        }
    }

    /** {@code "override " + what}, plus {@code " rule=NAME"} when these overrides come from a named rule. */
    public String describe(String what) {
        return rule == null ? "override " + what : "override " + what + " rule=" + rule;
    }

    /** The bypass prefix matching this path, or null. */
    public String bypassPrefixFor(String path) {
        for (int i = 0; i < bypassPathPrefixes.size(); i++) { // by index: no iterator per request
            String p = bypassPathPrefixes.get(i);
            if (path.startsWith(p)) {
                return p;
            }
        }
        return null;
    }
}
