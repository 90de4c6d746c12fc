package dev.cachalot.metrics;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.jvm.BufferPoolMetricSet;
import com.codahale.metrics.jvm.CachedThreadStatesGaugeSet;
import com.codahale.metrics.jvm.ClassLoadingGaugeSet;
import com.codahale.metrics.jvm.FileDescriptorRatioGauge;
import com.codahale.metrics.jvm.GarbageCollectorMetricSet;
import com.codahale.metrics.jvm.MemoryUsageGaugeSet;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Registers the JVM and process metrics (metrics-jvm) under the {@code jvm.*} names the catalogue maps. */
final class JvmMetrics {
    private JvmMetrics() {}

    static void register(MetricRegistry registry, LabelIndex index) {
        registry.registerAll("jvm.memory", new MemoryUsageGaugeSet());
        registry.registerAll("jvm.gc", new GarbageCollectorMetricSet());
        // Thread states need a thread dump per read; cache it so a scrape costs one dump, not ten.
        registry.registerAll("jvm.threads", new CachedThreadStatesGaugeSet(5, TimeUnit.SECONDS));
        registry.registerAll("jvm.buffers", new BufferPoolMetricSet(ManagementFactory.getPlatformMBeanServer()));
        registry.registerAll("jvm.classes", new ClassLoadingGaugeSet());
        registry.register("jvm.fd.usage", new FileDescriptorRatioGauge());
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            registry.register(index.enter(MetricNames.PROCESS_OPEN_FDS, List.of()),
                    (Gauge<Long>) unix::getOpenFileDescriptorCount);
            registry.register(index.enter(MetricNames.PROCESS_MAX_FDS, List.of()),
                    (Gauge<Long>) unix::getMaxFileDescriptorCount);
        }
    }
}
