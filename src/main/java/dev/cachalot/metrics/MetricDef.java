package dev.cachalot.metrics;

import java.util.List;

/**
 * One catalogued metric: its Prometheus family name, where it lives in the metrics registry, its
 * type, label names and meaning. The catalogue ({@link MetricNames}) is the single list of every
 * metric Cachalot exports; docs/operations.md repeats it and a test keeps the two in step.
 *
 * @param name         the Prometheus family name as it appears on the {@code # TYPE} line
 * @param registryName the registry key; for labelled metrics the prefix the label values are
 *                     appended to (dot-separated); for JVM metrics a glob with one {@code *} per label
 * @param kind         the exported type
 * @param labels       label names (besides {@code quantile} on summaries), in export order
 * @param help         one line: what it counts or measures, with the unit
 */
public record MetricDef(String name, String registryName, MetricKind kind, List<String> labels, String help) {
    public MetricDef {
        labels = List.copyOf(labels);
    }

    /** The name given to the sample builder: counters lose their {@code _total} (the exporter adds it). */
    String baseName() {
        return kind == MetricKind.COUNTER && name.endsWith("_total") ? name.substring(0, name.length() - 6) : name;
    }
}
