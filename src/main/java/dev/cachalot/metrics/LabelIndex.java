package dev.cachalot.metrics;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The registry-name to Prometheus-name-and-labels table for Cachalot's own metrics. Each metric is
 * entered when it is created, so label values are kept exactly (a route named {@code api.example.com}
 * stays one label value) instead of being parsed back out of a dotted name.
 */
final class LabelIndex {
    private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    /** A Prometheus base name with label names and values (parallel lists). */
    record Entry(String name, List<String> labelNames, List<String> labelValues) {}

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    /** Enters a catalogued metric with its label values; returns its registry name. */
    String enter(MetricDef def, List<String> labelValues) {
        if (labelValues.size() != def.labels().size()) {
            throw new IllegalArgumentException(def.name() + " takes labels " + def.labels() + ", given " + labelValues);
        }
        return enter(def.registryName(), def.baseName(), def.labels(), labelValues);
    }

    /** Enters an ad-hoc metric; returns its registry name (prefix plus the values, dot-separated). */
    String enter(String registryPrefix, String promName, List<String> labelNames, List<String> labelValues) {
        if (!METRIC_NAME.matcher(promName).matches()) {
            throw new IllegalArgumentException("not a valid Prometheus metric name: " + promName);
        }
        for (String l : labelNames) {
            if (!LABEL_NAME.matcher(l).matches() || l.startsWith("__") || l.equals("quantile")) {
                throw new IllegalArgumentException("not a valid label name: " + l);
            }
        }
        StringBuilder key = new StringBuilder(registryPrefix);
        for (String v : labelValues) {
            key.append('.').append(v);
        }
        String registryName = key.toString();
        Entry entry = new Entry(promName, List.copyOf(labelNames), List.copyOf(labelValues));
        Entry previous = entries.putIfAbsent(registryName, entry);
        if (previous != null && !previous.equals(entry)) {
            throw new IllegalArgumentException("registry name " + registryName + " already maps to " + previous);
        }
        return registryName;
    }

    Entry get(String registryName) {
        return entries.get(registryName);
    }

    void remove(String registryName) {
        entries.remove(registryName);
    }
}
