package dev.cachalot.forward;

import dev.cachalot.config.ConfigException;
import dev.cachalot.config.ConfigNode;
import dev.cachalot.config.HostPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The {@code forward:} section: the forward-proxy listener and its safety settings. Every field is
 * validated here; {@link #read} turns a YAML map into this record and fails naming the source, the
 * key, the value and the rule.
 *
 * @param listen              where the forward listener binds, or null when forward mode is off
 * @param connectPorts        ports CONNECT may reach (default 443 only)
 * @param httpPorts           ports absolute-form requests may reach (empty = any; the address guard still applies)
 * @param allowDestinations   exceptions to the address guard's built-in denials (CIDR)
 * @param denyDestinations    extra denied destination ranges (CIDR); beat the exceptions
 * @param rules               ordered host/port rules, {@code allow|deny HOSTPATTERN[:PORTS]}, first match wins
 * @param clients             client address ranges admitted (default loopback, RFC 1918, ULA)
 * @param credentials         credentials file for Basic proxy authentication, or null for none
 * @param realm               the realm in {@code Proxy-Authenticate}
 * @param connectTimeout      TCP connect timeout for CONNECT tunnels
 * @param tunnelIdleTimeout   a tunnel with no bytes in either direction this long is closed
 * @param maxTunnels          most tunnels open at once (more get 503)
 * @param tunnelBufferBytes   buffer per tunnel direction
 * @param cacheRules          per-host cache rules ({@code storeIds}, {@code cacheRules}) for forward requests
 */
public record ForwardConfig(HostPort listen, Set<Integer> connectPorts, Set<Integer> httpPorts,
                            List<Cidr> allowDestinations, List<Cidr> denyDestinations,
                            List<DestinationRules.Rule> rules, List<Cidr> clients, Path credentials, String realm,
                            Duration connectTimeout, Duration tunnelIdleTimeout, int maxTunnels,
                            int tunnelBufferBytes, ForwardCacheRules cacheRules) {

    /** Default client ranges: loopback and the private ranges company machines use. */
    public static final List<String> DEFAULT_CLIENTS = List.of("127.0.0.0/8", "::1/128", "10.0.0.0/8",
            "172.16.0.0/12", "192.168.0.0/16", "fc00::/7");

    public ForwardConfig {
        connectPorts = Set.copyOf(connectPorts);
        httpPorts = Set.copyOf(httpPorts);
        allowDestinations = List.copyOf(allowDestinations);
        denyDestinations = List.copyOf(denyDestinations);
        rules = List.copyOf(rules);
        clients = List.copyOf(clients);
        for (int p : connectPorts) {
            checkPort(p, "connectPorts");
        }
        for (int p : httpPorts) {
            checkPort(p, "httpPorts");
        }
        if (realm == null || realm.isEmpty() || realm.indexOf('"') >= 0 || realm.indexOf('\\') >= 0) {
            throw new IllegalArgumentException("forward.realm must be non-empty without quotes or backslashes");
        }
        positive(connectTimeout, "connectTimeout");
        positive(tunnelIdleTimeout, "tunnelIdleTimeout");
        if (maxTunnels < 1) {
            throw new IllegalArgumentException("forward.maxTunnels must be at least 1");
        }
        if (tunnelBufferBytes < 1024 || tunnelBufferBytes > 1 << 20) {
            throw new IllegalArgumentException("forward.tunnelBufferBytes must be between 1024 and 1048576");
        }
        if (cacheRules == null) {
            cacheRules = ForwardCacheRules.NONE;
        }
    }

    /** The settings without per-host cache rules (the components before {@code cacheRules} was added). */
    public ForwardConfig(HostPort listen, Set<Integer> connectPorts, Set<Integer> httpPorts,
                         List<Cidr> allowDestinations, List<Cidr> denyDestinations,
                         List<DestinationRules.Rule> rules, List<Cidr> clients, Path credentials, String realm,
                         Duration connectTimeout, Duration tunnelIdleTimeout, int maxTunnels, int tunnelBufferBytes) {
        this(listen, connectPorts, httpPorts, allowDestinations, denyDestinations, rules, clients, credentials, realm,
                connectTimeout, tunnelIdleTimeout, maxTunnels, tunnelBufferBytes, ForwardCacheRules.NONE);
    }

    /** Forward mode off, every other setting at its default. */
    public static ForwardConfig defaults() {
        return new ForwardConfig(null, Set.of(443), Set.of(), List.of(), List.of(), List.of(),
                DEFAULT_CLIENTS.stream().map(Cidr::parse).toList(), null, "cachalot", Duration.ofSeconds(10),
                Duration.ofMinutes(5), 1024, 16 * 1024);
    }

    /** True when a forward listener is configured. */
    public boolean enabled() {
        return listen != null;
    }

    /** This config with the listener at {@code listen}. */
    public ForwardConfig withListen(HostPort listen) {
        return new ForwardConfig(listen, connectPorts, httpPorts, allowDestinations, denyDestinations, rules,
                clients, credentials, realm, connectTimeout, tunnelIdleTimeout, maxTunnels, tunnelBufferBytes,
                cacheRules);
    }

    /** This config with more address-guard exceptions (e.g. from {@code --allow-destination}). */
    public ForwardConfig withAllowDestinations(Collection<Cidr> more) {
        List<Cidr> all = new ArrayList<>(allowDestinations);
        all.addAll(more);
        return new ForwardConfig(listen, connectPorts, httpPorts, all, denyDestinations, rules, clients,
                credentials, realm, connectTimeout, tunnelIdleTimeout, maxTunnels, tunnelBufferBytes,
                cacheRules);
    }

    /**
     * Applies the command-line flags {@code --forward-listen HOST:PORT} (null: keep the configured
     * listener) and {@code --allow-destination CIDR} (repeatable; added to the exceptions).
     *
     * @throws ConfigException naming the flag, the value and the rule
     */
    public ForwardConfig withCommandLine(String forwardListen, List<String> allowDestination) {
        ForwardConfig c = this;
        if (forwardListen != null) {
            HostPort hp = HostPort.parse(forwardListen);
            if (hp == null) {
                throw new ConfigException("command line", "--forward-listen", forwardListen,
                        "must be HOST:PORT (IPv6 as [::1]:PORT)");
            }
            c = c.withListen(hp);
        }
        List<Cidr> extra = new ArrayList<>();
        for (String a : allowDestination) {
            try {
                extra.add(Cidr.parse(a));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("command line", "--allow-destination", a, e.getMessage());
            }
        }
        return extra.isEmpty() ? c : c.withAllowDestinations(extra);
    }

    /** This config with a credentials file (null: no authentication). */
    public ForwardConfig withCredentials(Path file) {
        return new ForwardConfig(listen, connectPorts, httpPorts, allowDestinations, denyDestinations, rules,
                clients, file, realm, connectTimeout, tunnelIdleTimeout, maxTunnels, tunnelBufferBytes,
                cacheRules);
    }

    /** This config admitting exactly {@code ranges} as clients. */
    public ForwardConfig withClients(List<Cidr> ranges) {
        return new ForwardConfig(listen, connectPorts, httpPorts, allowDestinations, denyDestinations, rules,
                ranges, credentials, realm, connectTimeout, tunnelIdleTimeout, maxTunnels, tunnelBufferBytes,
                cacheRules);
    }

    /** This config with CONNECT allowed to exactly {@code ports}. */
    public ForwardConfig withConnectPorts(Set<Integer> ports) {
        return new ForwardConfig(listen, ports, httpPorts, allowDestinations, denyDestinations, rules, clients,
                credentials, realm, connectTimeout, tunnelIdleTimeout, maxTunnels, tunnelBufferBytes,
                cacheRules);
    }

    /** This config with destination rules. */
    public ForwardConfig withRules(List<DestinationRules.Rule> r) {
        return new ForwardConfig(listen, connectPorts, httpPorts, allowDestinations, denyDestinations, r, clients,
                credentials, realm, connectTimeout, tunnelIdleTimeout, maxTunnels, tunnelBufferBytes,
                cacheRules);
    }

    /** This config with per-host cache rules. */
    public ForwardConfig withCacheRules(ForwardCacheRules r) {
        return new ForwardConfig(listen, connectPorts, httpPorts, allowDestinations, denyDestinations, rules, clients,
                credentials, realm, connectTimeout, tunnelIdleTimeout, maxTunnels, tunnelBufferBytes, r);
    }

    /** The address guard these settings describe. */
    public AddressGuard guard() {
        return new AddressGuard(allowDestinations, denyDestinations);
    }

    /** The destination rules these settings describe. */
    public DestinationRules destinationRules() {
        return new DestinationRules(rules, httpPorts, connectPorts);
    }

    /** The client ACL these settings describe. */
    public ClientAcl clientAcl() {
        return new ClientAcl(clients);
    }

    /**
     * Reads the {@code forward:} section of a config file (the map Jackson produced; null or absent
     * keys take defaults). Keys: listen, connectPorts, httpPorts, allowDestinations,
     * denyDestinations, rules, clients, credentials, realm, connectTimeout, tunnelIdleTimeout,
     * maxTunnels, tunnelBufferBytes. Durations are ISO-8601 ({@code PT10S}) or {@code 10s}/{@code 500ms}/{@code 5m}.
     *
     * @throws ConfigException naming {@code source}, the key ({@code forward.x}), the value and the rule
     */
    public static ForwardConfig read(String source, Map<String, ?> section) {
        ForwardConfig d = defaults();
        if (section == null) {
            return d;
        }
        for (String k : section.keySet()) {
            if (!Set.of("listen", "connectPorts", "httpPorts", "allowDestinations", "denyDestinations", "rules",
                    "clients", "credentials", "realm", "connectTimeout", "tunnelIdleTimeout", "maxTunnels",
                    "tunnelBufferBytes").contains(k)) {
                throw new ConfigException(source, "forward." + k, String.valueOf(section.get(k)), "unknown key");
            }
        }
        Reader r = new Reader(source, section);
        HostPort listen = r.value("listen", null, s -> {
            HostPort hp = HostPort.parse(s);
            if (hp == null) {
                throw new IllegalArgumentException("must be HOST:PORT (IPv6 as [::1]:PORT)");
            }
            return hp;
        });
        Set<Integer> connectPorts = r.has("connectPorts") ? new TreeSet<>(r.list("connectPorts",
                s -> parsePorts(s, "port"))
                .stream().flatMap(Set::stream).toList()) : d.connectPorts;
        Set<Integer> httpPorts = r.has("httpPorts") ? new TreeSet<>(r.list("httpPorts", s -> parsePorts(s, "port"))
                .stream().flatMap(Set::stream).toList()) : d.httpPorts;
        List<Cidr> allow = r.has("allowDestinations") ? r.list("allowDestinations", Cidr::parse) : d.allowDestinations;
        List<Cidr> deny = r.has("denyDestinations") ? r.list("denyDestinations", Cidr::parse) : d.denyDestinations;
        List<DestinationRules.Rule> rules = r.has("rules") ? r.list("rules", DestinationRules.Rule::parse) : d.rules;
        List<Cidr> clients = r.has("clients") ? r.list("clients", Cidr::parse) : d.clients;
        Path credentials = r.value("credentials", null, Path::of);
        String realm = r.value("realm", d.realm, s -> s);
        Duration connect = r.value("connectTimeout", d.connectTimeout, ForwardConfig::duration);
        Duration idle = r.value("tunnelIdleTimeout", d.tunnelIdleTimeout, ForwardConfig::duration);
        int maxTunnels = r.value("maxTunnels", d.maxTunnels, Integer::parseInt);
        int buffer = r.value("tunnelBufferBytes", d.tunnelBufferBytes, Integer::parseInt);
        try {
            return new ForwardConfig(listen, connectPorts, httpPorts, allow, deny, rules, clients, credentials, realm,
                    connect, idle, maxTunnels, buffer);
        } catch (IllegalArgumentException e) {
            String key = e.getMessage().startsWith("forward.") ? e.getMessage().split(" ", 2)[0] : "forward";
            throw new ConfigException(source, key, String.valueOf(section.get(key.replace("forward.", ""))),
                    e.getMessage());
        }
    }

    /**
     * Reads the {@code forward:} section through the config loader's {@link ConfigNode} (the same
     * keys and rules as {@link #read}; lists are YAML lists, durations as the loader writes them,
     * e.g. {@code 10s}, {@code 5m}). Unknown keys fail.
     *
     * @throws ConfigException naming the source, the key ({@code forward.x}), the value and the rule
     */
    public static ForwardConfig from(ConfigNode n) {
        ForwardConfig d = defaults();
        String listenText = n.string("listen", "");
        HostPort listen = null;
        if (!listenText.isEmpty()) {
            listen = HostPort.parse(listenText);
            if (listen == null) {
                throw n.fail("listen", listenText, "must be HOST:PORT (IPv6 as [::1]:PORT)");
            }
        }
        Set<Integer> connectPorts = ports(n, "connectPorts", d.connectPorts);
        Set<Integer> httpPorts = ports(n, "httpPorts", d.httpPorts);
        List<Cidr> allow = each(n, "allowDestinations", Cidr::parse, d.allowDestinations);
        List<Cidr> deny = each(n, "denyDestinations", Cidr::parse, d.denyDestinations);
        List<DestinationRules.Rule> rules = each(n, "rules", DestinationRules.Rule::parse, d.rules);
        List<Cidr> clients = each(n, "clients", Cidr::parse, d.clients);
        String cred = n.string("credentials", "");
        String realm = n.string("realm", d.realm);
        if (realm.isEmpty() || realm.indexOf('"') >= 0 || realm.indexOf('\\') >= 0) {
            throw n.fail("realm", realm, "must be non-empty without quotes or backslashes");
        }
        Duration connect = n.duration("connectTimeout", d.connectTimeout, Duration.ofMillis(1), Duration.ofHours(1));
        Duration idle = n.duration("tunnelIdleTimeout", d.tunnelIdleTimeout, Duration.ofMillis(100),
                Duration.ofHours(24));
        int maxTunnels = n.integer("maxTunnels", d.maxTunnels, 1, 1_000_000);
        int buffer = n.integer("tunnelBufferBytes", d.tunnelBufferBytes, 1024, 1 << 20);
        ForwardCacheRules cacheRules = ForwardCacheRules.from(n);
        n.finish();
        return new ForwardConfig(listen, connectPorts, httpPorts, allow, deny, rules, clients,
                cred.isEmpty() ? null : Path.of(cred), realm, connect, idle, maxTunnels, buffer, cacheRules);
    }

    private static Set<Integer> ports(ConfigNode n, String key, Set<Integer> dflt) {
        List<String> items = n.strings(key, null);
        if (items == null) {
            return dflt;
        }
        Set<Integer> out = new TreeSet<>();
        for (String item : items) {
            try {
                out.addAll(parsePorts(item, "port"));
            } catch (IllegalArgumentException e) {
                throw n.fail(key, item, e.getMessage());
            }
        }
        return out;
    }

    private static <T> List<T> each(ConfigNode n, String key, Function<String, T> parse, List<T> dflt) {
        List<String> items = n.strings(key, null);
        if (items == null) {
            return dflt;
        }
        List<T> out = new ArrayList<>();
        for (String item : items) {
            try {
                out.add(parse.apply(item));
            } catch (IllegalArgumentException e) {
                throw n.fail(key, item, e.getMessage());
            }
        }
        return out;
    }

    /** Parses {@code 443}, {@code 8000-8100} or {@code 80,443}; fails naming {@code what}. */
    public static Set<Integer> parsePorts(String text, String what) {
        Set<Integer> out = new TreeSet<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            int dash = p.indexOf('-');
            try {
                int lo = Integer.parseInt(dash < 0 ? p : p.substring(0, dash).trim());
                int hi = dash < 0 ? lo : Integer.parseInt(p.substring(dash + 1).trim());
                if (lo < 1 || hi > 65535 || lo > hi) {
                    throw new IllegalArgumentException(what + ": port range '" + p + "' outside 1-65535");
                }
                for (int i = lo; i <= hi; i++) {
                    out.add(i);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(what + ": '" + p + "' is not a port or port range");
            }
        }
        return out;
    }

    /** Parses {@code PT10S}, {@code 10s}, {@code 500ms}, {@code 5m}, {@code 1h}. */
    static Duration duration(String s) {
        String t = s.trim();
        if (t.startsWith("P") || t.startsWith("p")) {
            return Duration.parse(t);
        }
        String[][] units = {{"ms", "1"}, {"s", "1000"}, {"m", "60000"}, {"h", "3600000"}};
        for (String[] u : units) {
            if (t.endsWith(u[0]) && t.length() > u[0].length()) {
                String n = t.substring(0, t.length() - u[0].length());
                if (n.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    return Duration.ofMillis(Long.parseLong(n) * Long.parseLong(u[1]));
                }
            }
        }
        throw new IllegalArgumentException("not a duration (10s, 500ms, 5m, PT10S)");
    }

    private static void checkPort(int p, String key) {
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("forward." + key + " port " + p + " outside 1-65535");
        }
    }

    private static void positive(Duration d, String key) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("forward." + key + " must be a positive duration");
        }
    }

    /** Reads typed values from the raw map, failing with the key. */
    private record Reader(String source, Map<String, ?> map) {
        boolean has(String key) {
            return map.get(key) != null;
        }

        <T> T value(String key, T dflt, Function<String, T> parse) {
            Object v = map.get(key);
            if (v == null) {
                return dflt;
            }
            if (v instanceof Collection<?> || v instanceof Map<?, ?>) {
                throw new ConfigException(source, "forward." + key, v.toString(), "must be a single value");
            }
            try {
                return parse.apply(v.toString());
            } catch (RuntimeException e) {
                throw new ConfigException(source, "forward." + key, v.toString(), e.getMessage());
            }
        }

        <T> List<T> list(String key, Function<String, T> parse) {
            Object v = map.get(key);
            Collection<?> items = v instanceof Collection<?> c ? c : List.of(v);
            List<T> out = new ArrayList<>();
            for (Object item : items) {
                try {
                    out.add(parse.apply(String.valueOf(item)));
                } catch (RuntimeException e) {
                    throw new ConfigException(source, "forward." + key, String.valueOf(item), e.getMessage());
                }
            }
            return out;
        }
    }
}
