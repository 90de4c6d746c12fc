package dev.cachalot.forward;

import dev.cachalot.config.ConfigNode;
import dev.cachalot.http.RequestHead;
import dev.cachalot.metrics.ForwardMetrics;
import dev.cachalot.policy.CacheKeys;
import dev.cachalot.policy.RequestRules;
import dev.cachalot.policy.RouteOverrides;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The forward proxy's per-host cache rules for mirrors and package repositories, applied to
 * requests of the forward listener only (route {@value #ROUTE}):
 * <ul>
 *   <li><b>key rules</b> ({@code forward.storeIds}, first match wins; Squid's StoreID): a regular
 *       expression that must match the whole normalised URL ({@link CacheKeys#primary}) and a
 *       replacement ({@code $1}, {@code $2} ... name its groups) that becomes the cache key, so
 *       several mirror hosts share one entry and per-user query tokens do not split the cache. The
 *       request still goes to the URL the client asked for.</li>
 *   <li><b>cache rules</b> ({@code forward.cacheRules}, first match wins; Squid's refresh_pattern):
 *       hosts and/or a path regular expression select {@link RouteOverrides} (a forced freshness
 *       lifetime, ignored response directives, ignoring a request's no-cache for fresh objects).</li>
 * </ul>
 * Both are deliberate deviations from RFC 9111 that the operator opts into; every answer they
 * affect names the rule in its Cache-Status {@code detail} ({@code override store-id rule=NAME},
 * {@code override force-ttl=N rule=NAME}, {@code override ignored request no-cache rule=NAME}).
 */
public final class ForwardCacheRules implements RequestRules {
    /** The route name of requests on the forward listener (as set by the server's forward front end). */
    public static final String ROUTE = "forward";

    /** No rules. */
    public static final ForwardCacheRules NONE = new ForwardCacheRules(List.of(), List.of());

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");

    /**
     * One key rule.
     *
     * @param name     the rule name (reported in Cache-Status detail)
     * @param match    matched against the whole normalised URL
     * @param key      the replacement text as configured ({@code $n} names group n, {@code \\$} is a dollar)
     * @param template the replacement parsed: literal strings and group numbers
     * @param detail   the Cache-Status detail it produces
     */
    public record KeyRule(String name, Pattern match, String key, List<Object> template, String detail) {
        public KeyRule {
            template = List.copyOf(template);
        }

        /** Builds a rule, checking the name, the expression and the group references. */
        public static KeyRule of(String name, String match, String key) {
            checkName(name);
            Pattern p;
            try {
                p = Pattern.compile(match);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("match: not a regular expression: " + e.getDescription());
            }
            if (key == null || key.isEmpty()) {
                throw new IllegalArgumentException("key: must not be empty");
            }
            return new KeyRule(name, p, key, parseTemplate(key, p.matcher("").groupCount()),
                    "override store-id rule=" + name);
        }

        /** Parses {@code $n} group references and {@code \x} escapes; fails on a reference to a missing group. */
        private static List<Object> parseTemplate(String key, int groups) {
            List<Object> parts = new ArrayList<>();
            StringBuilder lit = new StringBuilder();
            for (int i = 0; i < key.length(); i++) {
                char c = key.charAt(i);
                if (c == '\\') {
                    if (i + 1 == key.length()) {
                        throw new IllegalArgumentException("key: ends with a lone backslash");
                    }
                    lit.append(key.charAt(++i));
                } else if (c == '$') {
                    int j = i + 1;
                    while (j < key.length() && Character.isDigit(key.charAt(j))) {
                        j++;
                    }
                    if (j == i + 1) {
                        throw new IllegalArgumentException("key: '$' must be followed by a group number (write \\$ "
                                + "for a dollar sign)");
                    }
                    String digits = key.substring(i + 1, j);
                    int g = digits.length() > 4 ? Integer.MAX_VALUE : Integer.parseInt(digits);
                    if (g > groups) {
                        throw new IllegalArgumentException("key: refers to group $" + digits + " but match has "
                                + groups + " group(s)");
                    }
                    if (lit.length() > 0) {
                        parts.add(lit.toString());
                        lit.setLength(0);
                    }
                    parts.add(g);
                    i = j - 1;
                } else {
                    lit.append(c);
                }
            }
            if (lit.length() > 0) {
                parts.add(lit.toString());
            }
            return parts;
        }

        /** The key for {@code url}, or null when the rule does not match the whole URL. */
        String apply(String url) {
            Matcher m = match.matcher(url);
            if (!m.matches()) {
                return null;
            }
            StringBuilder sb = new StringBuilder(url.length());
            for (Object part : template) {
                if (part instanceof Integer g) {
                    String v = m.group(g);
                    if (v != null) {
                        sb.append(v);
                    }
                } else {
                    sb.append((String) part);
                }
            }
            return sb.toString();
        }
    }

    /**
     * One cache rule.
     *
     * @param name      the rule name (reported in Cache-Status detail)
     * @param hosts     the hosts it applies to (empty: any host)
     * @param path      found in the request target (path and query), or null for any path
     * @param overrides the overrides it applies, named after the rule
     */
    public record CacheRule(String name, List<HostPattern> hosts, Pattern path, RouteOverrides overrides) {
        public CacheRule {
            checkName(name);
            hosts = List.copyOf(hosts);
            if (hosts.isEmpty() && path == null) {
                throw new IllegalArgumentException("a cache rule needs hosts, a path, or both");
            }
        }

        /**
         * Builds a rule.
         *
         * @param forceTtl             the freshness lifetime to use instead of the origin's, or null
         * @param ignoredDirectives    response directives to ignore (e.g. no-cache, private)
         * @param ignoreRequestNoCache serve fresh objects without validation despite a request no-cache / max-age=0
         */
        public static CacheRule of(String name, List<String> hosts, String path, Duration forceTtl,
                                   Set<String> ignoredDirectives, boolean ignoreRequestNoCache) {
            checkName(name);
            List<HostPattern> hp = new ArrayList<>();
            for (String h : hosts) {
                hp.add(HostPattern.parse(h));
            }
            Pattern p = null;
            if (path != null && !path.isEmpty()) {
                try {
                    p = Pattern.compile(path);
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("path: not a regular expression: " + e.getDescription());
                }
            }
            if (forceTtl == null && ignoredDirectives.isEmpty() && !ignoreRequestNoCache) {
                throw new IllegalArgumentException("a cache rule needs forceTtl, ignoredDirectives or "
                        + "ignoreRequestNoCache");
            }
            return new CacheRule(name, hp, p, new RouteOverrides(forceTtl, ignoredDirectives, List.of(),
                    ignoreRequestNoCache, name));
        }

        boolean matches(String host, String target) {
            if (!hosts.isEmpty()) {
                boolean any = false;
                for (HostPattern h : hosts) {
                    if (h.matches(host)) {
                        any = true;
                        break;
                    }
                }
                if (!any) {
                    return false;
                }
            }
            return path == null || path.matcher(target).find();
        }
    }

    private final List<KeyRule> keyRules;
    private final List<CacheRule> cacheRules;

    public ForwardCacheRules(List<KeyRule> keyRules, List<CacheRule> cacheRules) {
        this.keyRules = List.copyOf(keyRules);
        this.cacheRules = List.copyOf(cacheRules);
        Set<String> names = new HashSet<>();
        for (KeyRule k : this.keyRules) {
            if (!names.add(k.name())) {
                throw new IllegalArgumentException("duplicate rule name '" + k.name() + "'");
            }
        }
        for (CacheRule c : this.cacheRules) {
            if (!names.add(c.name())) {
                throw new IllegalArgumentException("duplicate rule name '" + c.name() + "'");
            }
        }
    }

    public List<KeyRule> keyRules() {
        return keyRules;
    }

    public List<CacheRule> cacheRules() {
        return cacheRules;
    }

    /** Equal when the rules read the same (names, expressions, keys, hosts, overrides, in order). */
    @Override
    public boolean equals(Object o) {
        return o instanceof ForwardCacheRules r && describe().equals(r.describe());
    }

    @Override
    public int hashCode() {
        return describe().hashCode();
    }

    @Override
    public String toString() {
        return "ForwardCacheRules" + describe();
    }

    private List<List<Object>> describe() {
        List<List<Object>> out = new ArrayList<>();
        for (KeyRule k : keyRules) {
            out.add(List.of("key", k.name(), k.match().pattern(), k.key()));
        }
        for (CacheRule c : cacheRules) {
            out.add(List.of("cache", c.name(), c.hosts().toString(), c.path() == null ? "" : c.path().pattern(),
                    c.overrides()));
        }
        return out;
    }

    /**
     * These rules, telling {@code metrics} once per request which effects applied: a rewritten key
     * ({@code store-id}) and a forced freshness lifetime ({@code force-ttl}).
     */
    public RequestRules counting(ForwardMetrics metrics) {
        ForwardCacheRules self = this;
        return new RequestRules() {
            @Override
            public Treatment treat(String route, RequestHead request) {
                return self.treat(route, request);
            }

            @Override
            public void applied(Treatment t) {
                if (t.key() != null) {
                    metrics.ruleApplied(ForwardMetrics.RuleEffect.STORE_ID);
                }
                if (t.overrides().forceTtl() != null) {
                    metrics.ruleApplied(ForwardMetrics.RuleEffect.FORCE_TTL);
                }
            }
        };
    }

    /** True when there is no rule. */
    public boolean isEmpty() {
        return keyRules.isEmpty() && cacheRules.isEmpty();
    }

    @Override
    public Treatment treat(String route, RequestHead request) {
        if (isEmpty() || !ROUTE.equals(route)) {
            return null;
        }
        String key = null;
        String keyDetail = null;
        if (!keyRules.isEmpty()) {
            String url = CacheKeys.primary(request);
            for (KeyRule k : keyRules) {
                String rewritten = k.apply(url);
                if (rewritten != null) {
                    key = rewritten.isEmpty() ? null : rewritten;
                    keyDetail = key == null ? null : k.detail();
                    break;
                }
            }
        }
        RouteOverrides overrides = null;
        if (!cacheRules.isEmpty()) {
            String host = hostOf(request.authority());
            for (CacheRule c : cacheRules) {
                if (c.matches(host, request.target())) {
                    overrides = c.overrides();
                    break;
                }
            }
        }
        if (key == null && overrides == null) {
            return null;
        }
        return new Treatment(overrides == null ? RouteOverrides.NONE : overrides, key, keyDetail);
    }

    /** The host of an authority: without user info and port, IPv6 literals without brackets. */
    static String hostOf(String authority) {
        String a = authority;
        int at = a.lastIndexOf('@');
        if (at >= 0) {
            a = a.substring(at + 1);
        }
        if (a.startsWith("[")) {
            int end = a.indexOf(']');
            return end > 0 ? a.substring(1, end) : a;
        }
        int colon = a.lastIndexOf(':');
        return colon >= 0 ? a.substring(0, colon) : a;
    }

    /**
     * Reads {@code forward.storeIds} and {@code forward.cacheRules}.
     *
     * @throws dev.cachalot.config.ConfigException naming the source, the key, the value and the rule
     */
    static ForwardCacheRules from(ConfigNode forward) {
        List<KeyRule> keys = new ArrayList<>();
        List<ConfigNode> ks = forward.sections("storeIds");
        if (ks != null) {
            for (ConfigNode n : ks) {
                String name = n.string("name", "");
                String match = n.string("match", "");
                String key = n.string("key", "");
                n.finish();
                try {
                    keys.add(KeyRule.of(name, match, key));
                } catch (IllegalArgumentException e) {
                    throw failOn(n, e, name, match, key);
                }
            }
        }
        List<CacheRule> rules = new ArrayList<>();
        List<ConfigNode> cs = forward.sections("cacheRules");
        if (cs != null) {
            for (ConfigNode n : cs) {
                String name = n.string("name", "");
                List<String> hosts = n.strings("hosts", List.of());
                String path = n.string("path", "");
                Duration ttl = n.string("forceTtl", "").isEmpty() ? null
                        : n.duration("forceTtl", null, Duration.ZERO, Duration.ofDays(3650));
                List<String> ignored = n.strings("ignoredDirectives", List.of());
                for (int i = 0; i < ignored.size(); i++) {
                    if (!ignored.get(i).matches("[A-Za-z0-9-]+")) {
                        throw n.fail("ignoredDirectives[" + i + "]", ignored.get(i),
                                "must be a directive name such as no-cache");
                    }
                }
                boolean ignoreReload = n.bool("ignoreRequestNoCache", false);
                n.finish();
                try {
                    rules.add(CacheRule.of(name, hosts, path, ttl, Set.copyOf(ignored), ignoreReload));
                } catch (IllegalArgumentException e) {
                    String m = e.getMessage();
                    String field = m.startsWith("path:") ? "path" : m.startsWith("name:") ? "name"
                            : m.contains("host pattern") ? "hosts" : "name";
                    String value = field.equals("path") ? path : field.equals("hosts") ? String.valueOf(hosts) : name;
                    throw n.fail(field, value, m);
                }
            }
        }
        try {
            return keys.isEmpty() && rules.isEmpty() ? NONE : new ForwardCacheRules(keys, rules);
        } catch (IllegalArgumentException e) {
            throw forward.fail("cacheRules", "", e.getMessage());
        }
    }

    private static dev.cachalot.config.ConfigException failOn(ConfigNode n, IllegalArgumentException e, String name,
                                                              String match, String key) {
        String m = e.getMessage();
        if (m.startsWith("match:")) {
            return n.fail("match", match, m);
        }
        if (m.startsWith("key:")) {
            return n.fail("key", key, m);
        }
        return n.fail("name", name, m);
    }

    private static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name: is required: letters, digits, '_', '.', '-'");
        }
    }
}
