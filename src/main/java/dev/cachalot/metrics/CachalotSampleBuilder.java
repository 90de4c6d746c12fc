package dev.cachalot.metrics;

import io.prometheus.client.Collector;
import io.prometheus.client.dropwizard.samplebuilder.CustomMappingSampleBuilder;
import io.prometheus.client.dropwizard.samplebuilder.MapperConfig;
import io.prometheus.client.dropwizard.samplebuilder.SampleBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns Dropwizard registry names into Prometheus names with labels. Cachalot's own metrics are
 * looked up in the {@link LabelIndex} filled when they were created; the JVM metrics, whose dotted
 * names have a fixed shape, go through the library's {@link CustomMappingSampleBuilder} with one
 * {@link MapperConfig} per catalogue entry; anything else gets the default sanitised name.
 */
final class CachalotSampleBuilder implements SampleBuilder {
    private final LabelIndex index;
    private final CustomMappingSampleBuilder jvm;

    CachalotSampleBuilder(LabelIndex index) {
        this.index = index;
        this.jvm = new CustomMappingSampleBuilder(jvmMappings());
    }

    /** One mapping per JVM catalogue entry: glob {@code *} number i becomes the entry's i-th label. */
    static List<MapperConfig> jvmMappings() {
        List<MapperConfig> configs = new ArrayList<>();
        for (MetricDef def : MetricNames.JVM) {
            Map<String, String> labels = new LinkedHashMap<>();
            for (int i = 0; i < def.labels().size(); i++) {
                labels.put(def.labels().get(i), "${" + i + "}");
            }
            configs.add(new MapperConfig(def.registryName(), def.baseName(), labels));
        }
        return configs;
    }

    @Override
    public Collector.MetricFamilySamples.Sample createSample(String dropwizardName, String nameSuffix,
                                                             List<String> additionalLabelNames,
                                                             List<String> additionalLabelValues, double value) {
        LabelIndex.Entry entry = index.get(dropwizardName);
        if (entry == null) {
            return jvm.createSample(dropwizardName, nameSuffix, additionalLabelNames, additionalLabelValues, value);
        }
        List<String> names = new ArrayList<>(entry.labelNames());
        List<String> values = new ArrayList<>(entry.labelValues());
        if (additionalLabelNames != null) {
            names.addAll(additionalLabelNames);
            values.addAll(additionalLabelValues);
        }
        String suffix = nameSuffix == null ? "" : nameSuffix;
        return new Collector.MetricFamilySamples.Sample(entry.name() + suffix, names, values, value);
    }
}
