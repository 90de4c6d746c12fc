package dev.cachalot.metrics;

import com.codahale.metrics.Clock;
import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.LockFreeExponentiallyDecayingReservoir;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import com.codahale.metrics.jmx.JmxReporter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's metrics on Dropwizard Metrics: the only class (with the exporter) that knows the
 * library. Label values are bounded: outcome words and rejection reasons come from fixed
 * vocabularies, routes are capped, and everything else is folded into "other". No method throws:
 * a failure is counted in {@code cachalot_metrics_errors_total} and logged once.
 */
public final class DropwizardProxyMetrics implements ProxyMetrics, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DropwizardProxyMetrics.class);
    /** Client status classes; slot 0 is "none" (the connection broke before a response). */
    static final List<String> CLIENT_STATUS = List.of("none", "1xx", "2xx", "3xx", "4xx", "5xx");
    /** Origin status classes; slot 0 is "error" (the exchange failed before a response head). */
    static final List<String> ORIGIN_STATUS = List.of("error", "1xx", "2xx", "3xx", "4xx", "5xx");

    private final MetricRegistry registry = new MetricRegistry();
    private final LabelIndex index = new LabelIndex();
    private final MetricsOptions options;
    private final Vocabulary outcomes;
    private final Vocabulary reasons;
    /** [statusClass * outcomes.size() + outcome], created on first use. */
    private final AtomicReferenceArray<Meter> requests;
    private final AtomicReferenceArray<Meter> rejections;
    private final Timer requestDuration;
    private final Meter bytesReceived;
    private final Meter bytesSent;
    private final Counter openConnections;
    private final Meter connectionsOpened;
    private final Meter errors;
    private final DropwizardForwardMetrics forward;
    private final ConcurrentHashMap<String, RouteMetrics> routes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Supplier<PoolStats>> pools = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, String> adHocGauges = new ConcurrentHashMap<>();
    private final AtomicBoolean errorLogged = new AtomicBoolean();
    private final PrometheusExporter exporter;
    private final JmxReporter jmx;

    /** Metrics with the given options; call {@link #close()} to stop the JMX reporter. */
    public DropwizardProxyMetrics(MetricsOptions options) {
        this.options = options;
        this.outcomes = new Vocabulary(options.outcomeWords());
        this.reasons = new Vocabulary(options.rejectionReasons());
        this.requests = new AtomicReferenceArray<>(CLIENT_STATUS.size() * outcomes.size());
        this.rejections = new AtomicReferenceArray<>(reasons.size());
        this.requestDuration = timer(MetricNames.REQUEST_DURATION, List.of());
        this.bytesReceived = meter(MetricNames.RECEIVED_BYTES, List.of());
        this.bytesSent = meter(MetricNames.SENT_BYTES, List.of());
        this.openConnections = registry.counter(index.enter(MetricNames.OPEN_CONNECTIONS, List.of()));
        this.connectionsOpened = meter(MetricNames.CONNECTIONS_OPENED, List.of());
        this.errors = meter(MetricNames.METRICS_ERRORS, List.of());
        this.forward = new DropwizardForwardMetrics(this::meter,
                registry.counter(index.enter(MetricNames.FORWARD_TUNNELS_ACTIVE, List.of())),
                e -> failed("forward", e));
        if (options.jvmMetrics()) {
            JvmMetrics.register(registry, index);
        }
        this.exporter = new PrometheusExporter(registry, index);
        this.jmx = options.jmxReporter() ? JmxReporter.forRegistry(registry).inDomain("cachalot").build() : null;
        if (jmx != null) {
            jmx.start();
        }
    }

    /** Metrics with {@link MetricsOptions#defaults()}: JVM metrics on, JMX off. */
    public DropwizardProxyMetrics() {
        this(MetricsOptions.defaults());
    }

    // ---- ProxyMetrics ----

    @Override
    public void exchangeCompleted(ExchangeRecord record) {
        try {
            int statusSlot = statusSlot(record.status());
            int outcomeSlot = outcomes.slot(record.outcome());
            if (outcomeSlot == 0) {
                overflow("outcome");
            }
            int i = statusSlot * outcomes.size() + outcomeSlot;
            Meter m = requests.get(i);
            if (m == null) {
                m = meter(MetricNames.REQUESTS, List.of(CLIENT_STATUS.get(statusSlot), outcomes.label(outcomeSlot)));
                requests.set(i, m);
            }
            m.mark();
            if (record.durationNanos() >= 0) {
                requestDuration.update(record.durationNanos(), TimeUnit.NANOSECONDS);
            }
            if (record.bytesIn() > 0) {
                bytesReceived.mark(record.bytesIn());
            }
            if (record.bytesOut() > 0) {
                bytesSent.mark(record.bytesOut());
            }
            if (DropwizardForwardMetrics.ROUTE.equals(record.route())) {
                forward.exchange(record);
            }
        } catch (RuntimeException e) {
            failed("exchangeCompleted", e);
        }
    }

    @Override
    public void originExchange(String route, int status, long nanos) {
        try {
            RouteMetrics r = route(route);
            int slot = statusSlot(status);
            Meter m = r.responses.get(slot);
            if (m == null) {
                m = meter(MetricNames.ORIGIN_RESPONSES, List.of(ORIGIN_STATUS.get(slot), r.label));
                r.responses.set(slot, m);
            }
            m.mark();
            if (status != 0 && nanos >= 0) {
                r.duration.update(nanos, TimeUnit.NANOSECONDS);
            }
        } catch (RuntimeException e) {
            failed("originExchange", e);
        }
    }

    @Override
    public void rejected(String reason) {
        try {
            int slot = reasons.slot(reason);
            if (slot == 0) {
                overflow("reason");
            }
            Meter m = rejections.get(slot);
            if (m == null) {
                m = meter(MetricNames.REJECTIONS, List.of(reasons.label(slot)));
                rejections.set(slot, m);
            }
            m.mark();
            if (DropwizardForwardMetrics.BAD_TARGET_REASON.equals(reason)) {
                forward.badTarget();
            }
        } catch (RuntimeException e) {
            failed("rejected", e);
        }
    }

    @Override
    public void connectionOpened() {
        try {
            openConnections.inc();
            connectionsOpened.mark();
        } catch (RuntimeException e) {
            failed("connectionOpened", e);
        }
    }

    @Override
    public void connectionClosed() {
        try {
            openConnections.dec();
        } catch (RuntimeException e) {
            failed("connectionClosed", e);
        }
    }

    /** The forward proxy's metrics (requests by outcome, tunnels, tunnelled bytes, rules), in this registry. */
    public ForwardMetrics forward() {
        return forward;
    }

    // ---- gauges ----

    /**
     * Registers (or replaces) the four gauges of one origin connection pool. The supplier is called
     * at scrape time; when it throws or returns null the gauges are skipped and the error counted.
     */
    public void registerOriginPool(String pool, Supplier<PoolStats> stats) {
        try {
            pools.put(pool, stats);
            replaceGauge(MetricNames.ORIGIN_POOL_LEASED, pool, () -> poolValue(stats, PoolStats::leased));
            replaceGauge(MetricNames.ORIGIN_POOL_AVAILABLE, pool, () -> poolValue(stats, PoolStats::available));
            replaceGauge(MetricNames.ORIGIN_POOL_PENDING, pool, () -> poolValue(stats, PoolStats::pending));
            replaceGauge(MetricNames.ORIGIN_POOL_MAX, pool, () -> poolValue(stats, PoolStats::max));
        } catch (RuntimeException e) {
            failed("registerOriginPool", e);
        }
    }

    /**
     * Registers (or replaces) a catalogued gauge with the given label values, e.g. a cache-store
     * statistic once it has a {@link MetricNames} entry.
     */
    public void registerGauge(MetricDef def, List<String> labelValues, Supplier<? extends Number> value) {
        try {
            if (def.kind() != MetricKind.GAUGE) {
                throw new IllegalArgumentException(def.name() + " is a " + def.kind() + ", not a gauge");
            }
            String name = index.enter(def, labelValues);
            registry.remove(name);
            registry.register(name, guarded(value));
        } catch (RuntimeException e) {
            failed("registerGauge " + def.name(), e);
        }
    }

    /** Removes a catalogued gauge with these label values (a server a reload took out); no-op when absent. */
    public void removeGauge(MetricDef def, List<String> labelValues) {
        try {
            String name = index.enter(def, labelValues);
            registry.remove(name);
            index.remove(name);
        } catch (RuntimeException e) {
            failed("removeGauge " + def.name(), e);
        }
    }

    /**
     * Registers (or replaces) an ad-hoc gauge named in Prometheus form (e.g.
     * {@code cachalot_store_memory_entries}), with optional labels. Prefer a catalogued
     * {@link MetricDef} for anything permanent.
     */
    public void registerGauge(String name, Map<String, String> labels, Supplier<? extends Number> value) {
        try {
            String registryName = index.enter("adhoc." + name, name, List.copyOf(labels.keySet()),
                    List.copyOf(labels.values()));
            registry.remove(registryName);
            registry.register(registryName, guarded(value));
            adHocGauges.put(registryName, name + (labels.isEmpty() ? "" : labels.toString()));
        } catch (RuntimeException e) {
            failed("registerGauge " + name, e);
        }
    }

    /** Registers (or replaces) an ad-hoc unlabelled gauge. */
    public void registerGauge(String name, Supplier<? extends Number> value) {
        registerGauge(name, Map.of(), value);
    }

    // ---- export and stats ----

    /** The Prometheus text exposition of every metric (for the admin {@code /metrics} endpoint). */
    public MetricsExposition prometheus() {
        return exporter;
    }

    /**
     * A plain-data summary for the admin {@code /stats} endpoint: requests by status class and
     * outcome, bytes, connections, rejections, latency, origin routes and pools. Never throws.
     */
    public Map<String, Object> statsSnapshot() {
        Map<String, Object> out = new LinkedHashMap<>();
        try {
            Map<String, Long> byStatus = new TreeMap<>();
            Map<String, Long> byOutcome = new TreeMap<>();
            long total = 0;
            for (int s = 0; s < CLIENT_STATUS.size(); s++) {
                for (int o = 0; o < outcomes.size(); o++) {
                    Meter m = requests.get(s * outcomes.size() + o);
                    if (m != null) {
                        long c = m.getCount();
                        total += c;
                        byStatus.merge(CLIENT_STATUS.get(s), c, Long::sum);
                        byOutcome.merge(outcomes.label(o), c, Long::sum);
                    }
                }
            }
            Map<String, Object> req = new LinkedHashMap<>();
            req.put("total", total);
            req.put("byStatusClass", byStatus);
            req.put("byOutcome", byOutcome);
            req.put("latency", latency(requestDuration));
            out.put("requests", req);
            out.put("bytes", Map.of("received", bytesReceived.getCount(), "sent", bytesSent.getCount()));
            out.put("connections", Map.of("open", openConnections.getCount(), "opened", connectionsOpened.getCount()));
            Map<String, Long> rej = new TreeMap<>();
            for (int r = 0; r < reasons.size(); r++) {
                Meter m = rejections.get(r);
                if (m != null) {
                    rej.put(reasons.label(r), m.getCount());
                }
            }
            out.put("rejections", rej);
            Map<String, Object> origin = new TreeMap<>();
            for (RouteMetrics r : routes.values()) {
                Map<String, Long> responses = new TreeMap<>();
                for (int s = 0; s < ORIGIN_STATUS.size(); s++) {
                    Meter m = r.responses.get(s);
                    if (m != null) {
                        responses.put(ORIGIN_STATUS.get(s), m.getCount());
                    }
                }
                origin.put(r.label, Map.of("responses", responses, "latency", latency(r.duration)));
            }
            out.put("origin", origin);
            Map<String, Object> poolOut = new TreeMap<>();
            pools.forEach((name, s) -> {
                try {
                    poolOut.put(name, s.get());
                } catch (RuntimeException e) {
                    failed("pool stats " + name, e);
                }
            });
            out.put("pools", poolOut);
            Map<String, Object> gauges = new TreeMap<>();
            adHocGauges.forEach((registryName, display) -> {
                Gauge<?> g = registry.getGauges().get(registryName);
                if (g != null) {
                    gauges.put(display, g.getValue());
                }
            });
            out.put("gauges", gauges);
            out.put("metricsErrors", errors.getCount());
        } catch (RuntimeException e) {
            failed("statsSnapshot", e);
        }
        return out;
    }

    /** Internal errors swallowed so far. */
    public long internalErrors() {
        return errors.getCount();
    }

    /** Stops the JMX reporter, if any. */
    @Override
    public void close() {
        if (jmx != null) {
            jmx.close();
        }
    }

    // ---- internals ----

    private static int statusSlot(int status) {
        return status >= 100 && status <= 599 ? status / 100 : 0;
    }

    private RouteMetrics route(String route) {
        String key = route == null || route.isEmpty() ? "default" : route;
        RouteMetrics r = routes.get(key);
        if (r != null) {
            return r;
        }
        if (routes.size() >= options.maxRoutes()) {
            overflow("route");
            key = Vocabulary.OTHER;
        }
        return routes.computeIfAbsent(key, RouteMetrics::new);
    }

    /** One route's origin metrics; response meters created on first use. */
    private final class RouteMetrics {
        final String label;
        final Timer duration;
        final AtomicReferenceArray<Meter> responses = new AtomicReferenceArray<>(ORIGIN_STATUS.size());

        RouteMetrics(String label) {
            this.label = label;
            this.duration = timer(MetricNames.ORIGIN_DURATION, List.of(label));
        }
    }

    private Meter meter(MetricDef def, List<String> labelValues) {
        // A mark only counts; the rates (read by JMX alone) are computed when read.
        return registry.meter(index.enter(def, labelValues), () -> ReadTimeMovingAverages.meter(Clock.defaultClock()));
    }

    private Timer timer(MetricDef def, List<String> labelValues) {
        // The lock-free reservoir keeps recording off any lock on the request path, and the timer's
        // own meter only counts, as the others do.
        return registry.timer(index.enter(def, labelValues),
                () -> new Timer(ReadTimeMovingAverages.meter(Clock.defaultClock()),
                        new Histogram(LockFreeExponentiallyDecayingReservoir.builder().build()), Clock.defaultClock()));
    }

    private void overflow(String label) {
        try {
            meter(MetricNames.LABEL_OVERFLOW, List.of(label)).mark();
        } catch (RuntimeException e) {
            failed("overflow", e);
        }
    }

    private void replaceGauge(MetricDef def, String label, Supplier<Number> value) {
        String name = index.enter(def, List.of(label));
        registry.remove(name);
        registry.register(name, guarded(value));
    }

    private static Number poolValue(Supplier<PoolStats> stats, java.util.function.ToIntFunction<PoolStats> field) {
        PoolStats s = stats.get();
        return s == null ? null : field.applyAsInt(s);
    }

    /** A gauge that returns null (skipped by the exporter) instead of throwing, and counts the failure. */
    private Gauge<Number> guarded(Supplier<? extends Number> value) {
        return () -> {
            try {
                return value.get();
            } catch (RuntimeException e) {
                failed("gauge", e);
                return null;
            }
        };
    }

    private static Map<String, Object> latency(Timer t) {
        Snapshot s = t.getSnapshot();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", t.getCount());
        m.put("p50Ms", s.getMedian() / 1e6);
        m.put("p95Ms", s.get95thPercentile() / 1e6);
        m.put("p99Ms", s.get99thPercentile() / 1e6);
        m.put("maxMs", s.getMax() / 1e6);
        return m;
    }

    private void failed(String where, RuntimeException e) {
        try {
            errors.mark();
            if (errorLogged.compareAndSet(false, true)) {
                LOG.warn("metrics: {} failed (further failures are only counted in {})", where,
                        MetricNames.METRICS_ERRORS.name(), e);
            } else {
                LOG.debug("metrics: {} failed", where, e);
            }
        } catch (RuntimeException ignored) {
            // Never let the metrics layer break a request.
        }
    }
}
