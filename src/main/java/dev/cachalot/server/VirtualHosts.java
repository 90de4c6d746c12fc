package dev.cachalot.server;

import dev.cachalot.origin.OriginTarget;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The virtual-host table: which route answers a Host. Exact names win over "*.domain" wildcards
 * (longest suffix first); a host no route names goes to the default route, or nowhere.
 */
public final class VirtualHosts {
    /** One route: its origin and the host names it claims. */
    public record Route(OriginTarget origin, List<String> hosts) {
    }

    /** The table itself, immutable once built; {@link #replaceWith} swaps it whole (live reload). */
    private record Table(Map<String, OriginTarget> exact, Map<String, OriginTarget> wildcard, OriginTarget fallback) {}

    private volatile Table table;

    /** @param defaultRoute the route name for unknown hosts, or null/"" for none */
    public VirtualHosts(List<Route> routes, String defaultRoute) {
        Map<String, OriginTarget> exact = new HashMap<>();
        Map<String, OriginTarget> wildcard = new HashMap<>();
        OriginTarget f = null;
        for (Route r : routes) {
            for (String h : r.hosts()) {
                String k = h.toLowerCase(Locale.ROOT);
                if (k.startsWith("*.")) {
                    wildcard.put(k.substring(1), r.origin());
                } else {
                    exact.put(k, r.origin());
                }
            }
            if (r.origin().route().equals(defaultRoute)) {
                f = r.origin();
            }
        }
        this.table = new Table(Map.copyOf(exact), Map.copyOf(wildcard), f);
    }

    /**
     * Makes this table answer as {@code other} does from now on (configuration reload). A lookup in
     * progress finishes on the table it started with; the next one sees the new table.
     */
    public void replaceWith(VirtualHosts other) {
        this.table = other.table;
    }

    /** The table in force (its identity changes with every {@link #replaceWith}); for memoising lookups. */
    Object table() {
        return table;
    }

    /** The origin for a Host value (port ignored), or null when unknown and there is no default. */
    public OriginTarget resolve(String hostHeader) {
        Table tb = table;
        if (hostHeader != null && !hostHeader.isEmpty()) {
            String host = hostOnly(hostHeader).toLowerCase(Locale.ROOT);
            OriginTarget t = tb.exact().get(host);
            if (t != null) {
                return t;
            }
            if (!tb.wildcard().isEmpty()) {
                for (int dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
                    t = tb.wildcard().get(host.substring(dot));
                    if (t != null) {
                        return t;
                    }
                }
            }
        }
        return tb.fallback();
    }

    /** The host part of a Host value: "[::1]:80" gives "[::1]", "a.example:8080" gives "a.example". */
    static String hostOnly(String hostHeader) {
        String h = hostHeader.trim();
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            return close < 0 ? h : h.substring(0, close + 1);
        }
        int colon = h.indexOf(':');
        h = colon < 0 ? h : h.substring(0, colon);
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }
}
