package dev.cachalot.metrics;

import java.util.Set;

/**
 * How {@link DropwizardProxyMetrics} is set up.
 *
 * @param jvmMetrics       register JVM memory, GC, thread, buffer-pool, class and file-descriptor metrics
 * @param jmxReporter      also publish every metric as a JMX MBean (domain {@code cachalot})
 * @param outcomeWords     the cache outcome vocabulary; any other ExchangeRecord.outcome is counted as "other"
 * @param rejectionReasons the rejection reasons; any other reason is counted as "other"
 * @param maxRoutes        distinct route label values kept; later routes are counted as "other"
 */
public record MetricsOptions(boolean jvmMetrics, boolean jmxReporter, Set<String> outcomeWords,
                             Set<String> rejectionReasons, int maxRoutes) {

    /**
     * The outcome words: the RFC 9211 Cache-Status vocabulary (hit, and the fwd reasons bypass,
     * method, uri-miss, vary-miss, miss, request, stale, partial) plus the proxy's own summaries
     * (pass, revalidated, stale-served, error, synthetic, rate-limited). Matched case-insensitively; exported lower-case.
     */
    public static final Set<String> DEFAULT_OUTCOMES = Set.of("hit", "miss", "pass", "bypass", "method", "uri-miss",
            "vary-miss", "request", "stale", "partial", "revalidated", "stale-served", "error", "synthetic",
            "rate-limited");

    /** The rejection reasons the front end is expected to report. */
    public static final Set<String> DEFAULT_REJECTION_REASONS = Set.of("overload", "framing", "too-large",
            "header-too-large", "timeout", "forbidden", "bad-request", "unsupported", "shutting-down",
            "rate-limit-client", "rate-limit-route", "forward-target");

    public MetricsOptions {
        outcomeWords = Set.copyOf(outcomeWords);
        rejectionReasons = Set.copyOf(rejectionReasons);
        if (maxRoutes < 1) {
            throw new IllegalArgumentException("maxRoutes must be at least 1, was " + maxRoutes);
        }
    }

    /** JVM metrics on, JMX off, the default vocabularies, 64 routes. */
    public static MetricsOptions defaults() {
        return new MetricsOptions(true, false, DEFAULT_OUTCOMES, DEFAULT_REJECTION_REASONS, 64);
    }

    public MetricsOptions withJvmMetrics(boolean on) {
        return new MetricsOptions(on, jmxReporter, outcomeWords, rejectionReasons, maxRoutes);
    }

    public MetricsOptions withJmxReporter(boolean on) {
        return new MetricsOptions(jvmMetrics, on, outcomeWords, rejectionReasons, maxRoutes);
    }

    public MetricsOptions withOutcomeWords(Set<String> words) {
        return new MetricsOptions(jvmMetrics, jmxReporter, words, rejectionReasons, maxRoutes);
    }

    public MetricsOptions withRejectionReasons(Set<String> reasons) {
        return new MetricsOptions(jvmMetrics, jmxReporter, outcomeWords, reasons, maxRoutes);
    }

    public MetricsOptions withMaxRoutes(int max) {
        return new MetricsOptions(jvmMetrics, jmxReporter, outcomeWords, rejectionReasons, max);
    }
}
