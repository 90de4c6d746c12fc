package dev.cachalot.origin.pool;

import dev.cachalot.metrics.DropwizardProxyMetrics;
import dev.cachalot.metrics.MetricNames;
import java.time.InstantSource;
import java.util.Collection;
import java.util.List;

/** Registers the pool and server gauges ({@code cachalot_origin_server_*}, {@code cachalot_origin_route_*}). */
public final class PoolGauges {
    private PoolGauges() {}

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
