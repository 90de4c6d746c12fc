package dev.cachalot.metrics;

import com.codahale.metrics.MetricRegistry;
import io.prometheus.client.Collector;
import io.prometheus.client.CollectorRegistry;
import io.prometheus.client.dropwizard.DropwizardExports;
import io.prometheus.client.exporter.common.TextFormat;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Prometheus text exposition (format 0.0.4) of one Dropwizard registry, via the library's
 * {@link DropwizardExports} and {@link TextFormat}. It uses its own {@link CollectorRegistry}, never
 * the static default one, so several instances (tests, embedded proxies) can coexist.
 */
final class PrometheusExporter implements MetricsExposition {
    private final CollectorRegistry collectors = new CollectorRegistry(true);

    PrometheusExporter(MetricRegistry registry, LabelIndex index) {
        collectors.register(new CataloguedCollector(new DropwizardExports(registry, new CachalotSampleBuilder(index))));
    }

    @Override
    public String contentType() {
        return TextFormat.CONTENT_TYPE_004;
    }

    @Override
    public void writeTo(Writer out) throws IOException {
        TextFormat.write004(out, collectors.metricFamilySamples());
    }

    /**
     * Replaces the generated "Generated from Dropwizard metric import" help with the catalogue's line
     * and orders families by name, so a scrape reads like the catalogue and diffs cleanly.
     */
    private static final class CataloguedCollector extends Collector {
        private static final Map<String, String> HELP = new HashMap<>();

        static {
            for (MetricDef def : MetricNames.ALL) {
                HELP.put(def.kind() == MetricKind.COUNTER ? def.baseName() : def.name(), def.help());
            }
        }

        private final Collector delegate;

        CataloguedCollector(Collector delegate) {
            this.delegate = delegate;
        }

        @Override
        public List<MetricFamilySamples> collect() {
            List<MetricFamilySamples> out = new ArrayList<>();
            for (MetricFamilySamples f : delegate.collect()) {
                String help = HELP.getOrDefault(f.name, "Registered at run time.");
                out.add(new MetricFamilySamples(f.name, f.type, help, f.samples));
            }
            out.sort(Comparator.comparing(f -> f.name));
            return out;
        }
    }
}
