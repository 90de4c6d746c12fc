package dev.cachalot.config;

/**
 * The {@code metrics:} section.
 *
 * @param jvm register JVM memory, GC, thread and buffer metrics
 * @param jmx also publish every metric as a JMX MBean (domain {@code cachalot})
 */
public record MetricsConfig(boolean jvm, boolean jmx) {
    static MetricsConfig from(ConfigNode n) {
        MetricsConfig c = new MetricsConfig(n.bool("jvm", true), n.bool("jmx", false));
        n.finish();
        return c;
    }
}
