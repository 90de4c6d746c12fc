package dev.cachalot.origin.pool;

import dev.cachalot.config.OriginPoolConfig;
import java.time.InstantSource;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Schedules the active health checks of every pool that has one (one periodic task per server)
 * and feeds each outcome into the server's {@link ServerHealth}, logging every change.
 */
public final class HealthChecker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HealthChecker.class);

    private final HealthProbe probe;
    private final CheckScheduler scheduler;
    private final InstantSource clock;
    /** The running check of each server, by its health state (kept across reloads for an unchanged server). */
    private final Map<ServerHealth, CheckScheduler.Cancellable> tasks = new IdentityHashMap<>();

    public HealthChecker(HealthProbe probe, CheckScheduler scheduler, InstantSource clock) {
        this.probe = probe;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    /** Starts checking every server of the pools whose health check is enabled. */
    public void start(Collection<OriginPool> pools) {
        watch(pools);
    }

    /**
     * Makes the checked servers exactly those of {@code pools} whose health check is enabled: checks
     * of servers no longer listed stop, servers new to the list start being checked (first check at
     * once), and a server kept across a reload (the same {@link ServerHealth}) keeps its schedule.
     */
    public synchronized void watch(Collection<OriginPool> pools) {
        Map<ServerHealth, Boolean> wanted = new IdentityHashMap<>();
        for (OriginPool pool : pools) {
            OriginPoolConfig.HealthCheck hc = pool.config().healthCheck();
            if (!hc.enabled()) {
                continue;
            }
            for (PoolMember m : pool.members()) {
                wanted.put(m.health(), Boolean.TRUE);
                if (!tasks.containsKey(m.health())) {
                    tasks.put(m.health(), scheduler.every(hc.interval(), () -> {
                        try {
                            check(pool, m);
                        } catch (RuntimeException e) {
                            // A periodic task that throws is never run again: log and keep checking.
                            LOG.warn("health check of {} of route {} failed unexpectedly", m.url(), pool.route(), e);
                        }
                    }));
                }
            }
        }
        for (Iterator<Map.Entry<ServerHealth, CheckScheduler.Cancellable>> it = tasks.entrySet().iterator();
             it.hasNext(); ) {
            Map.Entry<ServerHealth, CheckScheduler.Cancellable> e = it.next();
            if (!wanted.containsKey(e.getKey())) {
                e.getValue().cancel();
                it.remove();
            }
        }
    }

    /** Servers being checked. */
    public synchronized int watched() {
        return tasks.size();
    }

    /** Runs one check of {@code m} now. */
    void check(OriginPool pool, PoolMember m) {
        HealthProbe.Outcome o;
        try {
            o = probe.probe(m.target(), pool.config().healthCheck());
        } catch (RuntimeException e) {
            o = new HealthProbe.Outcome(false, "check failed: " + e);
        }
        ServerHealth.Transition t = m.health().onCheck(o.passed(), o.detail(), clock.instant());
        switch (t) {
            case MARKED_DOWN:
                LOG.warn("origin server {} of route {} is down: health check {} failed: {}", m.url(), pool.route(),
                        pool.config().healthCheck().path(), o.detail());
                break;
            case RECOVERED:
                LOG.info("origin server {} of route {} is back: health check {} passed ({})", m.url(), pool.route(),
                        pool.config().healthCheck().path(), o.detail());
                break;
            default:
                break;
        }
    }

    @Override
    public void close() {
        scheduler.close();
        probe.close();
    }
}
