package dev.cachalot.metrics;

/** The Prometheus type a catalogued metric is exported as. */
public enum MetricKind {
    /** A monotonically increasing count; exported with the {@code _total} suffix. */
    COUNTER,
    /** A value that goes up and down (sampled when scraped). */
    GAUGE,
    /** Latency quantiles (0.5 .. 0.999) plus {@code _count}, in seconds. */
    SUMMARY
}
