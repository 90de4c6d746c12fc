package dev.cachalot.origin.pool;

import dev.cachalot.config.OriginPoolConfig;
import dev.cachalot.origin.OriginTarget;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The origin servers of one route and the rule that picks one per request: among the available
 * primaries by the configured balance, and only when no primary is available among the available
 * backups. Servers a request already failed on are skipped.
 */
public final class OriginPool {
    /** The outcome of choosing a server. */
    public sealed interface Selection {
        /** This server takes the request. */
        record Chosen(PoolMember member) implements Selection {
        }

        /**
         * No server may take it: every one is down, ejected or already tried.
         *
         * @param retryAfter when a server is expected back at the soonest (at least one second)
         */
        record NoServer(Duration retryAfter) implements Selection {
        }
    }

    private final String route;
    private final OriginPoolConfig config;
    private final List<PoolMember> members;
    private final ServerSelector primaries;
    private final ServerSelector backups;
    private final AtomicLong retries = new AtomicLong();
    private final AtomicLong noServer = new AtomicLong();

    public OriginPool(String route, OriginPoolConfig config, List<PoolMember> members) {
        this.route = route;
        this.config = config;
        this.members = List.copyOf(members);
        List<PoolMember> p = new ArrayList<>();
        List<PoolMember> b = new ArrayList<>();
        for (PoolMember m : members) {
            (m.backup() ? b : p).add(m);
        }
        this.primaries = selector(config.balance(), p);
        this.backups = selector(config.balance(), b);
    }

    /** The pool of a configured route; every server's target carries the route's Host override. */
    public static OriginPool of(String route, OriginPoolConfig config, String hostHeader) {
        List<PoolMember> members = new ArrayList<>();
        for (OriginPoolConfig.Server s : config.servers()) {
            OriginTarget t = OriginTarget.parse(route, s.url(), hostHeader == null || hostHeader.isEmpty() ? null
                    : hostHeader);
            members.add(new PoolMember(s.url(), t, s.weight(), s.backup(),
                    new ServerHealth(config.healthCheck(), config.ejection())));
        }
        return new OriginPool(route, config, members);
    }

    /**
     * The pool of a route after a reload, given its running pool ({@code running}, or null for a new
     * route): the running pool itself when nothing about it changed (its round-robin position,
     * counters and every server's health go on), otherwise a new pool in which each server that is
     * still listed with the same address and Host keeps its health state and counters, as long as the
     * health-check and ejection rules are unchanged (health measured under other rules is not reused).
     */
    public static OriginPool reconfigured(OriginPool running, String route, OriginPoolConfig config,
                                          String hostHeader) {
        String host = hostHeader == null || hostHeader.isEmpty() ? null : hostHeader;
        if (running == null) {
            return of(route, config, host);
        }
        boolean sameRules = running.config.healthCheck().equals(config.healthCheck())
                && running.config.ejection().equals(config.ejection());
        List<PoolMember> members = new ArrayList<>();
        boolean allKept = true;
        for (OriginPoolConfig.Server s : config.servers()) {
            OriginTarget t = OriginTarget.parse(route, s.url(), host);
            PoolMember kept = null;
            if (sameRules) {
                for (PoolMember m : running.members) {
                    if (m.url().equals(s.url()) && m.target().equals(t)) {
                        kept = m.withRole(s.weight(), s.backup());
                        break;
                    }
                }
            }
            if (kept == null) {
                allKept = false;
                kept = new PoolMember(s.url(), t, s.weight(), s.backup(),
                        new ServerHealth(config.healthCheck(), config.ejection()));
            }
            members.add(kept);
        }
        if (allKept && running.config.equals(config) && members.equals(running.members)) {
            return running;
        }
        return new OriginPool(route, config, members);
    }

    private static ServerSelector selector(OriginPoolConfig.Balance balance, List<PoolMember> tier) {
        return balance == OriginPoolConfig.Balance.CONSISTENT_HASH ? new ConsistentHashRing(tier)
                : new WeightedRoundRobin(tier);
    }

    /**
     * Chooses the server for a request.
     *
     * @param keyHash the hash of the request's cache key (only read when {@link #usesKey()})
     * @param now     the current time
     * @param tried   servers this request already failed on (never chosen again), or null
     */
    public Selection choose(long keyHash, Instant now, List<PoolMember> tried) {
        PoolMember m = primaries.pick(keyHash, x -> eligible(x, now, tried));
        if (m == null) {
            // Backups take traffic only while no primary is available.
            m = backups.pick(keyHash, x -> eligible(x, now, tried));
        }
        return m != null ? new Selection.Chosen(m) : new Selection.NoServer(retryAfter(now));
    }

    private static boolean eligible(PoolMember m, Instant now, List<PoolMember> tried) {
        return (tried == null || !tried.contains(m)) && m.health().available(now);
    }

    /**
     * The soonest time a server may be back: the end of the shortest remaining ejection, or for a
     * server that failed its checks the time its healthy threshold of checks takes; at least 1 s.
     */
    Duration retryAfter(Instant now) {
        Duration best = null;
        OriginPoolConfig.HealthCheck hc = config.healthCheck();
        Duration byChecks = hc.enabled() ? hc.interval().multipliedBy(hc.healthyThreshold()) : null;
        for (PoolMember m : members) {
            Duration d;
            switch (m.health().state(now)) {
                case EJECTED:
                    Instant until = m.health().ejectedUntil(now);
                    d = until == null ? Duration.ZERO : Duration.between(now, until);
                    if (byChecks != null && byChecks.compareTo(d) < 0) {
                        d = byChecks;
                    }
                    break;
                case UNHEALTHY:
                    d = byChecks;
                    break;
                default:
                    d = Duration.ZERO; // available, merely tried already
                    break;
            }
            if (d != null && (best == null || d.compareTo(best) < 0)) {
                best = d;
            }
        }
        Duration oneSecond = Duration.ofSeconds(1);
        return best == null || best.compareTo(oneSecond) < 0 ? oneSecond : best;
    }

    /** True when the choice depends on the request's key (consistent hashing). */
    public boolean usesKey() {
        return primaries.usesKey();
    }

    public String route() {
        return route;
    }

    public OriginPoolConfig config() {
        return config;
    }

    /** All servers, primaries and backups, in configuration order. */
    public List<PoolMember> members() {
        return members;
    }

    /** Requests retried on another server after a connect failure, since start. */
    public long retries() {
        return retries.get();
    }

    /** Requests that found no server to send to (answered 503 or stale), since start. */
    public long noServer() {
        return noServer.get();
    }

    void countRetry() {
        retries.incrementAndGet();
    }

    void countNoServer() {
        noServer.incrementAndGet();
    }

    /** Servers that may be chosen at {@code now}. */
    public int availableServers(Instant now) {
        int n = 0;
        for (PoolMember m : members) {
            if (m.health().available(now)) {
                n++;
            }
        }
        return n;
    }
}
