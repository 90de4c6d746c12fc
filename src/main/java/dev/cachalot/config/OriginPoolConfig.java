package dev.cachalot.config;

import dev.cachalot.origin.OriginTarget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The origin servers of one route (the {@code pool:} key of a {@code routes} entry): the servers
 * with their weights and backup flags, how one is chosen per request, the active health check,
 * passive ejection and the retry budget. The single {@code origin:} form of a route is a pool of one
 * ({@link #single}) without health checks, ejection or retries, so it behaves exactly as before.
 *
 * @param balance     how a server is chosen among the available ones
 * @param servers     the servers, primaries and backups, in configuration order (at least one primary)
 * @param maxRetries  further servers a request may be tried on after a connect failure (only when safe)
 * @param healthCheck the active health check
 * @param ejection    passive ejection on request errors
 */
public record OriginPoolConfig(Balance balance, List<Server> servers, int maxRetries, HealthCheck healthCheck,
                               Ejection ejection) {
    public OriginPoolConfig {
        servers = List.copyOf(servers);
    }

    /** How a request's server is chosen among the available servers of a tier (primaries, else backups). */
    public enum Balance {
        /** Smooth weighted round-robin: each server gets requests in proportion to its weight. */
        ROUND_ROBIN("round-robin"),
        /**
         * A hash ring over the cache key: the same URL goes to the same server, and a server leaving
         * moves only the keys it held (about 1/n of them).
         */
        CONSISTENT_HASH("consistent-hash");

        private final String word;

        Balance(String word) {
            this.word = word;
        }

        /** The configuration word, e.g. {@code round-robin}. */
        public String word() {
            return word;
        }
    }

    /**
     * One origin server.
     *
     * @param url    {@code http(s)://host:port}
     * @param weight relative share of requests (round-robin) or of the hash ring (1..100)
     * @param backup true: used only when no primary server is available
     */
    public record Server(String url, int weight, boolean backup) {
    }

    /**
     * The active health check: a GET of {@code path} to every server every {@code interval}.
     *
     * @param path               request path; "" = no active checks
     * @param interval           time between two checks of one server
     * @param timeout            connect and response timeout of one check
     * @param expectStatus       the statuses that pass, as written (e.g. {@code 200-399} or {@code 200,204})
     * @param healthyThreshold   consecutive passes that make a down server healthy again
     * @param unhealthyThreshold consecutive failures that take a server out
     */
    public record HealthCheck(String path, Duration interval, Duration timeout, String expectStatus,
                              int healthyThreshold, int unhealthyThreshold) {
        /** No active checks. */
        public static final HealthCheck OFF = new HealthCheck("", Duration.ofSeconds(5), Duration.ofSeconds(2),
                "200-399", 2, 3);

        public boolean enabled() {
            return !path.isEmpty();
        }

        /** True when {@code status} is one of the expected statuses. */
        public boolean passes(int status) {
            return statusMatches(expectStatus, status);
        }
    }

    /**
     * Passive ejection: after {@code consecutiveErrors} errors in a row a server is taken out for
     * {@code duration}, doubled on each further ejection without a success in between, at most
     * {@code maxDuration}.
     *
     * @param consecutiveErrors errors in a row that eject; 0 = never eject
     * @param on5xx             also count 5xx responses as errors
     * @param duration          first ejection period
     * @param maxDuration       longest ejection period
     */
    public record Ejection(int consecutiveErrors, boolean on5xx, Duration duration, Duration maxDuration) {
        /** Never eject. */
        public static final Ejection OFF = new Ejection(0, false, Duration.ofSeconds(30), Duration.ofMinutes(5));

        public boolean enabled() {
            return consecutiveErrors > 0;
        }
    }

    /** The pool of one server that the single {@code origin:} form of a route stands for. */
    public static OriginPoolConfig single(String url) {
        return new OriginPoolConfig(Balance.ROUND_ROBIN, List.of(new Server(url, 1, false)), 0, HealthCheck.OFF,
                Ejection.OFF);
    }

    /** The primary (non-backup) servers. */
    public List<Server> primaries() {
        return servers.stream().filter(s -> !s.backup()).toList();
    }

    /** Binds a {@code pool:} mapping; every bad value fails naming its key. */
    static OriginPoolConfig from(ConfigNode n) {
        String b = n.string("balance", Balance.ROUND_ROBIN.word());
        Balance balance = null;
        for (Balance x : Balance.values()) {
            if (x.word().equals(b)) {
                balance = x;
            }
        }
        if (balance == null) {
            throw n.fail("balance", b, "must be round-robin or consistent-hash");
        }
        List<ConfigNode> serverNodes = n.sections("servers");
        if (serverNodes == null || serverNodes.isEmpty()) {
            throw n.fail("servers", serverNodes == null ? null : "[]", "must list at least one server");
        }
        List<Server> servers = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < serverNodes.size(); i++) {
            ConfigNode s = serverNodes.get(i);
            String url = s.string("url", "");
            OriginTarget t;
            try {
                t = OriginTarget.parse("pool", url, null);
            } catch (IllegalArgumentException e) {
                throw s.fail("url", url, "must be an http(s) URL with only scheme, host and port ("
                        + e.getMessage() + ")");
            }
            if (!seen.add(t.scheme() + "://" + t.authority().toLowerCase(Locale.ROOT))) {
                throw s.fail("url", url, "is listed twice in this pool");
            }
            int weight = s.integer("weight", 1, 1, 100);
            boolean backup = s.bool("backup", false);
            s.finish();
            servers.add(new Server(url, weight, backup));
        }
        if (servers.stream().allMatch(Server::backup)) {
            throw n.fail("servers", String.valueOf(servers.size()) + " backup servers",
                    "at least one server must not be a backup");
        }
        int maxRetries = n.integer("maxRetries", 1, 0, 10);
        HealthCheck hc = healthCheck(n.section("healthCheck"));
        Ejection ej = ejection(n.section("ejection"));
        n.finish();
        return new OriginPoolConfig(balance, servers, maxRetries, hc, ej);
    }

    private static HealthCheck healthCheck(ConfigNode n) {
        HealthCheck d = HealthCheck.OFF;
        String path = n.string("path", d.path());
        if (!path.isEmpty() && (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c >= 0x7f))) {
            throw n.fail("path", path, "must be \"\" (no active checks) or a path starting with '/' without spaces");
        }
        Duration interval = n.duration("interval", d.interval(), Duration.ofMillis(100), Duration.ofHours(1));
        Duration timeout = n.duration("timeout", d.timeout(), Duration.ofMillis(10), Duration.ofMinutes(1));
        if (timeout.compareTo(interval) > 0) {
            throw n.fail("timeout", n.string("timeout", ""), "must not be longer than interval ("
                    + n.string("interval", text(interval)) + ")");
        }
        String expect = n.string("expectStatus", d.expectStatus());
        if (!validStatusList(expect)) {
            throw n.fail("expectStatus", expect,
                    "must be statuses or ranges from 100 to 599, e.g. 200, 200-399 or 200,204");
        }
        int healthy = n.integer("healthyThreshold", d.healthyThreshold(), 1, 100);
        int unhealthy = n.integer("unhealthyThreshold", d.unhealthyThreshold(), 1, 100);
        n.finish();
        return new HealthCheck(path, interval, timeout, expect, healthy, unhealthy);
    }

    private static Ejection ejection(ConfigNode n) {
        int errors = n.integer("consecutiveErrors", 5, 0, 1000);
        boolean on5xx = n.bool("on5xx", false);
        Duration duration = n.duration("duration", Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofHours(1));
        Duration max = n.duration("maxDuration", Duration.ofMinutes(5), Duration.ofMillis(100), Duration.ofDays(1));
        if (max.compareTo(duration) < 0) {
            throw n.fail("maxDuration", n.string("maxDuration", ""), "must not be shorter than duration ("
                    + n.string("duration", text(duration)) + ")");
        }
        n.finish();
        return new Ejection(errors, on5xx, duration, max);
    }

    /** A duration as the configuration writes it: 500ms, 30s, 5m, 1h. */
    static String text(Duration d) {
        long ms = d.toMillis();
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        return s % 3600 == 0 && s > 0 ? s / 3600 + "h" : s % 60 == 0 && s > 0 ? s / 60 + "m" : s + "s";
    }

    static boolean validStatusList(String list) {
        if (list.isBlank()) {
            return false;
        }
        for (String part : list.split(",", -1)) {
            String p = part.trim();
            int dash = p.indexOf('-');
            String lo = dash < 0 ? p : p.substring(0, dash);
            String hi = dash < 0 ? p : p.substring(dash + 1);
            if (!lo.matches("[1-5]\\d\\d") || !hi.matches("[1-5]\\d\\d") || Integer.parseInt(lo) > Integer.parseInt(hi)) {
                return false;
            }
        }
        return true;
    }

    static boolean statusMatches(String list, int status) {
        for (String part : list.split(",")) {
            String p = part.trim();
            int dash = p.indexOf('-');
            int lo = Integer.parseInt(dash < 0 ? p : p.substring(0, dash));
            int hi = Integer.parseInt(dash < 0 ? p : p.substring(dash + 1));
            if (status >= lo && status <= hi) {
                return true;
            }
        }
        return false;
    }
}
