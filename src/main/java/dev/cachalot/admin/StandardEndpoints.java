package dev.cachalot.admin;

import dev.cachalot.metrics.MetricsExposition;
import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The built-in admin endpoints: {@code GET /} (index), {@code /health} (liveness), {@code /ready}
 * (readiness), {@code /metrics} (Prometheus text) and {@code /stats} (JSON summary).
 */
public final class StandardEndpoints {
    private StandardEndpoints() {}

    /**
     * Registers the built-in endpoints.
     *
     * @param routes    the registry to add to
     * @param readiness the current readiness (e.g. a {@link ReadinessState})
     * @param metrics   the Prometheus exposition ({@code DropwizardProxyMetrics.prometheus()})
     * @param stats     the {@code /stats} document
     * @return {@code routes}
     */
    public static AdminRoutes register(AdminRoutes routes, Supplier<Readiness> readiness, MetricsExposition metrics,
                                       StatsDocument stats) {
        routes.add(AdminRoute.get("/", "this list of endpoints", request -> index(routes)));
        routes.add(AdminRoute.get("/health", "liveness: 200 ok while the process runs",
                request -> AdminResponse.text(200, "ok")));
        routes.add(AdminRoute.get("/ready", "readiness: 200 ready, or 503 with the reason",
                request -> ready(readiness.get())));
        routes.add(AdminRoute.get("/metrics", "every metric in Prometheus text format 0.0.4",
                request -> scrape(metrics)));
        routes.add(AdminRoute.get("/stats", "JSON summary: uptime, requests, bytes, origin, pools, store",
                request -> AdminResponse.json(200, stats.build())));
        return routes;
    }

    static AdminResponse ready(Readiness r) {
        return r.ready() ? AdminResponse.text(200, "ready") : AdminResponse.text(503, "not ready: " + r.reason());
    }

    static AdminResponse scrape(MetricsExposition metrics) throws java.io.IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 * 1024);
        try (Writer w = new OutputStreamWriter(bytes, StandardCharsets.UTF_8)) {
            metrics.writeTo(w);
        }
        return new AdminResponse(200, metrics.contentType(), bytes.toByteArray(), Map.of());
    }

    static AdminResponse index(AdminRoutes routes) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (AdminRoute r : routes.all()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("method", r.method());
            e.put("path", r.path());
            e.put("requiresToken", r.requiresToken());
            e.put("description", r.description());
            list.add(e);
        }
        return AdminResponse.json(200, Map.of("endpoints", list));
    }

    /**
     * The {@code /stats} document: uptime, then the metrics summary's sections, then any extra
     * sections (e.g. "store"). A section whose supplier throws shows {@code {"error": ...}} instead
     * of failing the whole document.
     */
    public static final class StatsDocument {
        private final InstantSource clock;
        private final Instant startedAt;
        private final Supplier<Map<String, Object>> metrics;
        private final Map<String, Supplier<?>> sections = new LinkedHashMap<>();

        /**
         * @param clock     the process clock (the same one Main gives everything else)
         * @param startedAt when the process started
         * @param metrics   the metrics summary ({@code DropwizardProxyMetrics::statsSnapshot})
         */
        public StatsDocument(InstantSource clock, Instant startedAt, Supplier<Map<String, Object>> metrics) {
            this.clock = clock;
            this.startedAt = startedAt;
            this.metrics = metrics;
        }

        /** Adds (or replaces) a named section, e.g. {@code section("store", store::stats)}. */
        public synchronized StatsDocument section(String name, Supplier<?> value) {
            sections.put(name, value);
            return this;
        }

        synchronized Map<String, Object> build() {
            Map<String, Object> doc = new LinkedHashMap<>();
            Instant now = clock.instant();
            doc.put("startedAt", startedAt.toString());
            doc.put("uptimeSeconds", Duration.between(startedAt, now).toMillis() / 1000.0);
            try {
                doc.putAll(metrics.get());
            } catch (RuntimeException e) {
                doc.put("metrics", Map.of("error", String.valueOf(e)));
            }
            sections.forEach((name, s) -> {
                try {
                    doc.put(name, s.get());
                } catch (RuntimeException e) {
                    doc.put(name, Map.of("error", String.valueOf(e)));
                }
            });
            return doc;
        }
    }
}
