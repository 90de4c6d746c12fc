package dev.cachalot.origin.pool;

import dev.cachalot.metrics.DropwizardProxyMetrics;
import dev.cachalot.metrics.MetricDef;
import dev.cachalot.metrics.MetricNames;
import java.time.InstantSource;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Registers the pool and server gauges ({@code cachalot_origin_server_*}, {@code cachalot_origin_route_*}). */
public final class PoolGauges {
    private PoolGauges() {}

    /**
     * After a reload: the gauges of {@code after} (registered again, so a rebuilt pool's counters are
     * the ones read), and those of servers and routes of {@code before} that are gone removed.
     */
    public static void update(DropwizardProxyMetrics metrics, Collection<OriginPool> before,
                              Collection<OriginPool> after, InstantSource clock) {
        Set<List<String>> servers = new HashSet<>();
        Set<String> routes = new HashSet<>();
        for (OriginPool p : after) {
            routes.add(p.route());
            for (PoolMember m : p.members()) {
                servers.add(List.of(p.route(), m.url()));
            }
        }
        for (OriginPool p : before) {
            if (!routes.contains(p.route())) {
                for (MetricDef d : ROUTE_GAUGES) {
                    metrics.removeGauge(d, List.of(p.route()));
                }
            }
            for (PoolMember m : p.members()) {
                List<String> l = List.of(p.route(), m.url());
                if (!servers.contains(l)) {
                    for (MetricDef d : SERVER_GAUGES) {
                        metrics.removeGauge(d, l);
                    }
                }
            }
        }
        register(metrics, after, clock);
    }

    private static final List<MetricDef> ROUTE_GAUGES = List.of(MetricNames.ORIGIN_ROUTE_RETRIES,
            MetricNames.ORIGIN_ROUTE_NO_SERVER);
    private static final List<MetricDef> SERVER_GAUGES = List.of(MetricNames.ORIGIN_SERVER_UP,
            MetricNames.ORIGIN_SERVER_HEALTHY, MetricNames.ORIGIN_SERVER_EJECTED, MetricNames.ORIGIN_SERVER_BACKUP,
            MetricNames.ORIGIN_SERVER_ACTIVE, MetricNames.ORIGIN_SERVER_REQUESTS, MetricNames.ORIGIN_SERVER_FAILURES,
            MetricNames.ORIGIN_SERVER_EJECTIONS, MetricNames.ORIGIN_SERVER_LAST_CHECK);

    /** One set of gauges per server (labels route, server URL) and per pool (label route). */
    public static void register(DropwizardProxyMetrics metrics, Collection<OriginPool> pools, InstantSource clock) {
        for (OriginPool p : pools) {
            List<String> route = List.of(p.route());
            metrics.registerGauge(MetricNames.ORIGIN_ROUTE_RETRIES, route, p::retries);
            metrics.registerGauge(MetricNames.ORIGIN_ROUTE_NO_SERVER, route, p::noServer);
            for (PoolMember m : p.members()) {
                List<String> l = List.of(p.route(), m.url());
                ServerHealth h = m.health();
                metrics.registerGauge(MetricNames.ORIGIN_SERVER_UP, l, () -> h.available(clock.instant()) ? 1 : 0);
                metrics.registerGauge(MetricNames.ORIGIN_SERVER_HEALTHY, l,
                        () -> h.passingChecks() ? 1 : 0);
                metrics.registerGauge(MetricNames.ORIGIN_SERVER_EJECTED, l,
                        () -> h.ejectedUntil(clock.instant()) != null ? 1 : 0);
                metrics.registerGauge(MetricNames.ORIGIN_SERVER_BACKUP, l, () -> m.backup() ? 1 : 0);
                metrics.registerGauge(MetricNames.ORIGIN_SERVER_ACTIVE, l, m::activeRequests);
                metrics.registerGauge(MetricNames.ORIGIN_SERVER_REQUESTS, l, m::requests);
                metrics.registerGauge(MetricNames.ORIGIN_SERVER_FAILURES, l, h::errors);
                metrics.registerGauge(MetricNames.ORIGIN_SERVER_EJECTIONS, l, h::ejections);
                metrics.registerGauge(MetricNames.ORIGIN_SERVER_LAST_CHECK, l, () -> {
                    ServerHealth.CheckResult c = h.lastCheck();
                    return c == null ? -1 : c.passed() ? 1 : 0;
                });
            }
        }
    }
}
