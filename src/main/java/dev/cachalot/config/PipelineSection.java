package dev.cachalot.config;

import dev.cachalot.pipeline.PipelineConfig;
import java.time.Duration;

/**
 * The {@code pipeline:} section: binds the YAML keys to {@link PipelineConfig}, whose
 * {@link PipelineConfig#defaults()} are the defaults and whose constructor has the last word on
 * validity.
 */
final class PipelineSection {
    private PipelineSection() {}

    static PipelineConfig from(ConfigNode n) {
        PipelineConfig d = PipelineConfig.defaults();
        Duration collapseWait = n.duration("collapseWait", d.collapseWait(), Duration.ofMillis(1), Duration.ofHours(1));
        Duration hitForMiss = n.duration("hitForMissTtl", d.hitForMissTtl(), Duration.ZERO, Duration.ofDays(1));
        Duration keep = n.duration("keepWindow", d.keepWindow(), Duration.ZERO, Duration.ofDays(365));
        long lag = n.size("maxFollowerLag", d.maxFollowerLagBytes(), 16 * 1024, 1L << 30);
        int threads = n.integer("revalidationThreads", d.revalidationThreads(), 1, 256);
        boolean fill = n.bool("fillOnClientDisconnect", d.fillOnClientDisconnect());
        boolean rangeFromFill = n.bool("rangeFromFill", d.rangeFromFill());
        long rangeAhead = n.size("rangeJoinAhead", d.rangeJoinAheadBytes(), 0, 1L << 40);
        n.finish();
        try {
            return new PipelineConfig(collapseWait, hitForMiss, keep, lag, threads, fill, rangeFromFill, rangeAhead);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(n.source(), "pipeline", null, e.getMessage());
        }
    }
}
