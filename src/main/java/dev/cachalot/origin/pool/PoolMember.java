package dev.cachalot.origin.pool;

import dev.cachalot.origin.OriginTarget;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One server of an origin pool: where it is (an {@link OriginTarget}, so the HTTP client keeps its
 * own pooled connections per server), its weight and role, its health, and its traffic counters.
 */
public final class PoolMember {
    private final String url;
    private final OriginTarget target;
    private final int weight;
    private final boolean backup;
    private final ServerHealth health;
    private final AtomicInteger active;
    private final AtomicLong requests;

    /**
     * @param url    the server URL as configured (its identity on the hash ring, in metrics and on /pools)
     * @param target where requests go
     * @param weight relative share (1..100)
     * @param backup true: chosen only when no primary is available
     * @param health its health state machine
     */
    public PoolMember(String url, OriginTarget target, int weight, boolean backup, ServerHealth health) {
        this(url, target, weight, backup, health, new AtomicInteger(), new AtomicLong());
    }

    private PoolMember(String url, OriginTarget target, int weight, boolean backup, ServerHealth health,
                       AtomicInteger active, AtomicLong requests) {
        this.url = url;
        this.target = target;
        this.weight = weight;
        this.backup = backup;
        this.health = health;
        this.active = active;
        this.requests = requests;
    }

    /**
     * This server with another weight and role (a reload that only re-weights it): the same health
     * state and traffic counters, so a server that is down stays down and requests in flight on it
     * are still counted when they end.
     */
    PoolMember withRole(int weight, boolean backup) {
        return weight == this.weight && backup == this.backup ? this
                : new PoolMember(url, target, weight, backup, health, active, requests);
    }

    public String url() {
        return url;
    }

    public OriginTarget target() {
        return target;
    }

    public int weight() {
        return weight;
    }

    public boolean backup() {
        return backup;
    }

    public ServerHealth health() {
        return health;
    }

    /** Requests sent to this server whose response is not finished yet. */
    public int activeRequests() {
        return active.get();
    }

    /** Requests sent to this server since start. */
    public long requests() {
        return requests.get();
    }

    void started() {
        requests.incrementAndGet();
        active.incrementAndGet();
    }

    void finished() {
        active.decrementAndGet();
    }

    @Override
    public String toString() {
        return url;
    }
}
