package dev.cachalot.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

class DropwizardProxyMetricsTest {
    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");

    private static ExchangeRecord exchange(int status, String outcome, long bytesIn, long bytesOut, long nanos) {
        return new ExchangeRecord(T0, "r1", "127.0.0.1", "GET", "/a", "example.test", "HTTP/1.1", status, bytesIn,
                bytesOut, nanos, -1, outcome, "main");
    }

    private static PromText scrape(DropwizardProxyMetrics m) throws IOException {
        StringWriter w = new StringWriter();
        m.prometheus().writeTo(w);
        return PromText.parse(w.toString());
    }

    private static DropwizardProxyMetrics noJvm() {
        return new DropwizardProxyMetrics(MetricsOptions.defaults().withJvmMetrics(false));
    }

    @Test
    void requestsAreCountedByStatusClassAndOutcome() throws IOException {
        DropwizardProxyMetrics m = noJvm();
        m.exchangeCompleted(exchange(200, "HIT", 0, 100, 1_000_000));
        m.exchangeCompleted(exchange(200, "hit", 0, 100, 1_000_000));
        m.exchangeCompleted(exchange(404, "MISS", 0, 10, 1_000_000));
        m.exchangeCompleted(exchange(0, "MISS", 0, 0, 1_000_000));
        PromText p = scrape(m);
        assertEquals("counter", p.types.get("cachalot_requests_total"));
        assertEquals(Optional.of(2.0), p.value("cachalot_requests_total", Map.of("status_class", "2xx", "outcome", "hit")));
        assertEquals(Optional.of(1.0), p.value("cachalot_requests_total", Map.of("status_class", "4xx", "outcome", "miss")));
        assertEquals(Optional.of(1.0), p.value("cachalot_requests_total", Map.of("status_class", "none", "outcome", "miss")));
        assertEquals(3, p.named("cachalot_requests_total").size());
        assertEquals(Optional.of(210.0), p.value("cachalot_sent_bytes_total", Map.of()));
    }

    @Test
    void unknownOutcomeWordsAndReasonsFoldIntoOtherSoLabelsStayBounded() throws IOException {
        DropwizardProxyMetrics m = noJvm();
        for (int i = 0; i < 100; i++) {
            m.exchangeCompleted(exchange(200, "weird-" + i, 0, 0, 1));
            m.rejected("reason-" + i);
        }
        m.exchangeCompleted(exchange(200, null, 0, 0, 1));
        m.rejected("overload");
        PromText p = scrape(m);
        assertEquals(List.of(Map.of("status_class", "2xx", "outcome", "other")),
                p.named("cachalot_requests_total").stream().map(PromText.Sample::labels).toList());
        assertEquals(Optional.of(101.0), p.value("cachalot_requests_total", Map.of("status_class", "2xx", "outcome", "other")));
        assertEquals(Optional.of(100.0), p.value("cachalot_rejections_total", Map.of("reason", "other")));
        assertEquals(Optional.of(1.0), p.value("cachalot_rejections_total", Map.of("reason", "overload")));
        assertEquals(Optional.of(101.0), p.value("cachalot_metrics_label_overflow_total", Map.of("label", "outcome")));
    }

    @Test
    void requestLatencyIsASummaryInSeconds() throws IOException {
        DropwizardProxyMetrics m = noJvm();
        for (int i = 0; i < 10; i++) {
            m.exchangeCompleted(exchange(200, "hit", 0, 0, 250_000_000L)); // 250 ms
        }
        PromText p = scrape(m);
        assertEquals("summary", p.types.get("cachalot_request_duration_seconds"));
        assertEquals(Optional.of(10.0), p.value("cachalot_request_duration_seconds_count", Map.of()));
        double median = p.value("cachalot_request_duration_seconds", Map.of("quantile", "0.5")).orElseThrow();
        assertEquals(0.25, median, 1e-9);
    }

    @Test
    void originLatencyAndResponsesByRouteKeepDotsInRouteNames() throws IOException {
        DropwizardProxyMetrics m = noJvm();
        m.originExchange("api.example.com", 200, 2_000_000_000L);
        m.originExchange("api.example.com", 503, 1_000_000_000L);
        m.originExchange("api.example.com", 0, 5_000_000_000L); // failed: counted, not timed
        PromText p = scrape(m);
        assertEquals(Optional.of(2.0),
                p.value("cachalot_origin_duration_seconds_count", Map.of("route", "api.example.com")));
        assertEquals(Optional.of(1.0), p.value("cachalot_origin_responses_total",
                Map.of("status_class", "error", "route", "api.example.com")));
        assertEquals(Optional.of(1.0), p.value("cachalot_origin_responses_total",
                Map.of("status_class", "5xx", "route", "api.example.com")));
        double max = p.named("cachalot_origin_duration_seconds").stream()
                .filter(s -> s.labels().get("quantile").equals("0.999")).findFirst().orElseThrow().value();
        assertEquals(2.0, max, 1e-9);
    }

    @Test
    void concurrentRecordingLosesNothing() throws Exception {
        DropwizardProxyMetrics m = noJvm();
        int threads = 4;
        int each = 10_000;
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<Thread> workers = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String outcome = t % 2 == 0 ? "HIT" : "MISS";
            String route = "route-" + (t % 2);
            Thread w = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) {
                    m.exchangeCompleted(exchange(200, outcome, 1, 2, 1000));
                    m.originExchange(route, 200, 1000);
                }
            });
            w.start();
            workers.add(w);
        }
        go.countDown();
        for (Thread w : workers) {
            w.join();
        }
        PromText p = scrape(m);
        assertEquals(Optional.of(2.0 * each), p.value("cachalot_requests_total", Map.of("status_class", "2xx", "outcome", "hit")));
        assertEquals(Optional.of(2.0 * each), p.value("cachalot_requests_total", Map.of("status_class", "2xx", "outcome", "miss")));
        assertEquals(Optional.of(2.0 * each), p.value("cachalot_origin_responses_total", Map.of("status_class", "2xx", "route", "route-1")));
        assertEquals(Optional.of((double) threads * each), p.value("cachalot_request_duration_seconds_count", Map.of()));
        assertEquals(Optional.of(2.0 * threads * each), p.value("cachalot_sent_bytes_total", Map.of()));
        assertEquals(0, m.internalErrors());
    }

    @Test
    void labelValuesWithQuotesAndNewlinesAreEscapedInTheExposition() throws IOException {
        DropwizardProxyMetrics m = noJvm();
        String route = "we\"ird\\route\nname";
        m.originExchange(route, 200, 1);
        StringWriter w = new StringWriter();
        m.prometheus().writeTo(w);
        assertTrue(w.toString().contains("route=\"we\\\"ird\\\\route\\nname\""), w.toString());
        assertEquals(Optional.of(1.0), PromText.parse(w.toString()).value("cachalot_origin_responses_total",
                Map.of("status_class", "2xx", "route", route)));
    }

    @Test
    void routesBeyondTheCapAreCountedAsOther() throws IOException {
        DropwizardProxyMetrics m = new DropwizardProxyMetrics(MetricsOptions.defaults().withJvmMetrics(false).withMaxRoutes(2));
        m.originExchange("a", 200, 1);
        m.originExchange("b", 200, 1);
        m.originExchange("c", 200, 1);
        m.originExchange("d", 200, 1);
        m.originExchange("a", 200, 1);
        PromText p = scrape(m);
        Set<String> routes = p.named("cachalot_origin_responses_total").stream().map(s -> s.labels().get("route"))
                .collect(Collectors.toSet());
        assertEquals(Set.of("a", "b", "other"), routes);
        assertEquals(Optional.of(2.0), p.value("cachalot_origin_responses_total", Map.of("status_class", "2xx", "route", "other")));
        assertEquals(Optional.of(2.0), p.value("cachalot_origin_responses_total", Map.of("status_class", "2xx", "route", "a")));
    }

    @Test
    void openConnectionsGoUpAndDown() throws IOException {
        DropwizardProxyMetrics m = noJvm();
        m.connectionOpened();
        m.connectionOpened();
        m.connectionClosed();
        PromText p = scrape(m);
        assertEquals("gauge", p.types.get("cachalot_open_connections"));
        assertEquals(Optional.of(1.0), p.value("cachalot_open_connections", Map.of()));
        assertEquals(Optional.of(2.0), p.value("cachalot_connections_opened_total", Map.of()));
    }

    @Test
    void poolGaugesReadTheSupplierAtScrapeTimeAndAFailingSupplierIsCountedNotThrown() throws IOException {
        DropwizardProxyMetrics m = noJvm();
        int[] leased = {3};
        m.registerOriginPool("main", () -> new PoolStats(leased[0], 2, 1, 50));
        m.registerOriginPool("broken", () -> {
            throw new IllegalStateException("pool closed");
        });
        leased[0] = 7;
        PromText p = scrape(m);
        assertEquals(Optional.of(7.0), p.value("cachalot_origin_pool_leased", Map.of("pool", "main")));
        assertEquals(Optional.of(2.0), p.value("cachalot_origin_pool_available", Map.of("pool", "main")));
        assertEquals(Optional.of(1.0), p.value("cachalot_origin_pool_pending", Map.of("pool", "main")));
        assertEquals(Optional.of(50.0), p.value("cachalot_origin_pool_max", Map.of("pool", "main")));
        assertEquals(Optional.empty(), p.value("cachalot_origin_pool_leased", Map.of("pool", "broken")));
        assertTrue(m.internalErrors() >= 4, "each failing gauge read is counted");
        // Re-registering replaces instead of failing.
        m.registerOriginPool("main", () -> new PoolStats(1, 1, 1, 1));
        assertEquals(Optional.of(1.0), scrape(m).value("cachalot_origin_pool_max", Map.of("pool", "main")));
    }

    @Test
    void adHocAndCataloguedGaugesAreExported() throws IOException {
        DropwizardProxyMetrics m = noJvm();
        m.registerGauge("cachalot_store_entries", Map.of("tier", "memory"), () -> 42);
        m.registerGauge("cachalot_store_bytes", () -> 1024L);
        m.registerGauge(MetricNames.ORIGIN_POOL_MAX, List.of("x"), () -> 9);
        PromText p = scrape(m);
        assertEquals(Optional.of(42.0), p.value("cachalot_store_entries", Map.of("tier", "memory")));
        assertEquals(Optional.of(1024.0), p.value("cachalot_store_bytes", Map.of()));
        assertEquals(Optional.of(9.0), p.value("cachalot_origin_pool_max", Map.of("pool", "x")));
        assertEquals(Map.of("cachalot_store_bytes", 1024L, "cachalot_store_entries{tier=memory}", 42),
                m.statsSnapshot().get("gauges"));
    }

    @Test
    void badInputIsCountedNeverThrown() {
        DropwizardProxyMetrics m = noJvm();
        m.exchangeCompleted(null);
        m.registerGauge("not a name", () -> 1);
        m.registerGauge(MetricNames.REQUESTS, List.of("2xx", "hit"), () -> 1); // not a gauge
        m.registerGauge(MetricNames.ORIGIN_POOL_MAX, List.of(), () -> 1); // wrong label count
        assertEquals(4, m.internalErrors());
    }

    @Test
    void jvmMetricsAreMappedToLabels() throws IOException {
        PromText p = scrape(new DropwizardProxyMetrics());
        assertTrue(p.value("jvm_memory_used_bytes", Map.of("area", "heap")).orElseThrow() > 0);
        assertTrue(p.value("jvm_threads_current", Map.of()).orElseThrow() > 0);
        assertTrue(p.value("jvm_threads_state", Map.of("state", "runnable")).orElseThrow() > 0);
        assertFalse(p.named("jvm_gc_collections").isEmpty());
        assertTrue(p.named("jvm_gc_collections").stream().allMatch(s -> s.labels().containsKey("gc")));
        assertTrue(p.value("jvm_buffer_pool_buffers", Map.of("pool", "direct")).isPresent());
        assertTrue(p.named("jvm_memory_pool_used_bytes").size() > 1);
        assertTrue(p.value("jvm_classes_loaded", Map.of()).orElseThrow() > 0);
        assertTrue(p.value("process_open_fds", Map.of()).orElseThrow() > 0);
    }

    @Test
    void everyExportedFamilyIsCatalogued() throws IOException {
        DropwizardProxyMetrics m = new DropwizardProxyMetrics();
        m.exchangeCompleted(exchange(200, "hit", 5, 5, 5));
        m.exchangeCompleted(exchange(200, "nonsense", 5, 5, 5));
        m.originExchange("r", 200, 5);
        m.rejected("overload");
        m.connectionOpened();
        m.registerOriginPool("p", () -> new PoolStats(1, 1, 1, 1));
        // Forward-proxy families appear with their first event (the forward package reports them).
        m.forward().requestRefused(ForwardMetrics.Refusal.CLIENT_DENIED);
        m.forward().tunnelOpened();
        m.forward().ruleApplied(ForwardMetrics.RuleEffect.STORE_ID);
        // Store, pipeline, origin pool, rate-limit, reload and purge gauges are registered by Cachalot.open (as
        // here) from StoreStats / PipelineStats / the origin pools (PoolGauges) / the limiter and reloader /
        // PurgeService.
        for (MetricDef def : MetricNames.ALL) {
            if (def.name().startsWith("cachalot_store_") || def.name().startsWith("cachalot_pipeline_")
                    || def.name().startsWith("cachalot_origin_server_") || def.name().startsWith("cachalot_origin_route_")
                    || def.name().startsWith("cachalot_rate_limit_") || def.name().startsWith("cachalot_config_")
                    || def.name().startsWith("cachalot_purge")) {
                m.registerGauge(def, java.util.Collections.nCopies(def.labels().size(), "memory"), () -> 1);
            }
        }
        m.exchangeCompleted(null);
        Set<String> catalogue = MetricNames.ALL.stream().map(MetricDef::name).collect(Collectors.toSet());
        PromText p = scrape(m);
        for (String family : p.types.keySet()) {
            assertTrue(catalogue.contains(family), "not catalogued: " + family);
        }
        for (MetricDef def : MetricNames.ALL) {
            if (p.types.containsKey(def.name())) {
                assertEquals(def.kind().name().toLowerCase(), p.types.get(def.name()), def.name());
            }
        }
        // Every Cachalot metric, given the traffic above, is present.
        for (MetricDef def : MetricNames.ALL) {
            if (def.name().startsWith("cachalot_")) {
                assertTrue(p.types.containsKey(def.name()), "missing from scrape: " + def.name());
            }
        }
    }

    @Test
    void catalogueNamesAreUniqueAndPrometheusShaped() {
        Set<String> seen = new java.util.HashSet<>();
        for (MetricDef def : MetricNames.ALL) {
            assertTrue(seen.add(def.name()), "duplicate " + def.name());
            assertTrue(def.name().matches("[a-z_][a-z0-9_]*"), def.name());
            assertEquals(def.kind() == MetricKind.COUNTER, def.name().endsWith("_total"), def.name());
        }
    }

    @Test
    void twoInstancesDoNotShareState() throws IOException {
        DropwizardProxyMetrics a = noJvm();
        DropwizardProxyMetrics b = noJvm();
        a.rejected("overload");
        assertEquals(Optional.of(1.0), scrape(a).value("cachalot_rejections_total", Map.of("reason", "overload")));
        assertEquals(Optional.empty(), scrape(b).value("cachalot_rejections_total", Map.of("reason", "overload")));
    }

    @Test
    void statsSnapshotSummarisesRequestsAndBytes() {
        DropwizardProxyMetrics m = noJvm();
        m.exchangeCompleted(exchange(200, "hit", 3, 100, 1_000_000));
        m.exchangeCompleted(exchange(502, "miss", 0, 20, 1_000_000));
        m.originExchange("main", 502, 1_000_000);
        Map<String, Object> s = m.statsSnapshot();
        @SuppressWarnings("unchecked")
        Map<String, Object> req = (Map<String, Object>) s.get("requests");
        assertEquals(2L, req.get("total"));
        assertEquals(Map.of("2xx", 1L, "5xx", 1L), req.get("byStatusClass"));
        assertEquals(Map.of("hit", 1L, "miss", 1L), req.get("byOutcome"));
        assertEquals(Map.of("received", 3L, "sent", 120L), s.get("bytes"));
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> origin = (Map<String, Map<String, Object>>) s.get("origin");
        assertEquals(Map.of("5xx", 1L), origin.get("main").get("responses"));
    }

    @Test
    void jmxReporterPublishesMBeansWhenSwitchedOnAndRemovesThemOnClose() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName query = new ObjectName("cachalot:*");
        try (DropwizardProxyMetrics m = new DropwizardProxyMetrics(
                MetricsOptions.defaults().withJvmMetrics(false).withJmxReporter(true))) {
            m.rejected("overload");
            assertFalse(server.queryNames(query, null).isEmpty());
        }
        assertTrue(server.queryNames(query, null).isEmpty());
    }
}
