package dev.cachalot.pipeline;

import java.time.Duration;

/**
 * Settings of the request pipeline (the {@code pipeline.*} section of cachalot.yaml). The
 * constructor rejects a bad value naming the key, the value and the rule; the config loader adds
 * the file name.
 *
 * @param collapseWait             {@code pipeline.collapseWait}: how long a collapsed follower waits for the
 *                                 leader's response head before fetching on its own; default 10 s
 * @param hitForMissTtl            {@code pipeline.hitForMissTtl}: how long an uncacheable answer sends the
 *                                 next requests for its URL straight to the origin without collapsing; default 10 s
 * @param keepWindow               {@code pipeline.keepWindow}: how long an entry is kept past its freshness and
 *                                 allowed staleness, as a base for conditional revalidation (Varnish "keep");
 *                                 default 1 h
 * @param maxFollowerLagBytes      {@code pipeline.maxFollowerLag}: how far a collapsed follower may fall
 *                                 behind the origin before it is detached (it then continues from the stored
 *                                 entry); also the bytes of a body kept so late followers can still attach;
 *                                 default 1 MiB
 * @param revalidationThreads      {@code pipeline.revalidationThreads}: threads of the background
 *                                 (stale-while-revalidate) pool; default 2
 * @param fillOnClientDisconnect   {@code pipeline.fillOnClientDisconnect}: keep reading and storing a
 *                                 cacheable origin body after the requesting client went away; default true
 * @param rangeFromFill            {@code pipeline.rangeFromFill}: answer a Range request for a URL whose
 *                                 whole-object fill is in progress from that fill (206 built from its length,
 *                                 bytes streamed as they arrive) instead of forwarding it; default true
 * @param rangeJoinAheadBytes      {@code pipeline.rangeJoinAhead}: how far beyond the bytes received so far a
 *                                 range may start and still wait for the fill; further ahead it is forwarded to
 *                                 the origin on its own; default 4 MiB
 */
public record PipelineConfig(Duration collapseWait, Duration hitForMissTtl, Duration keepWindow,
                             long maxFollowerLagBytes, int revalidationThreads, boolean fillOnClientDisconnect,
                             boolean rangeFromFill, long rangeJoinAheadBytes) {

    /** The default of {@code pipeline.rangeJoinAhead}. */
    public static final long DEFAULT_RANGE_JOIN_AHEAD = 4L * 1024 * 1024;

    /** Thrown for a bad pipeline setting. */
    public static final class InvalidSetting extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        InvalidSetting(String key, Object value, String rule) {
            super(key + ": " + value + " " + rule);
        }
    }

    /** Validates every value. */
    public PipelineConfig {
        positive("pipeline.collapseWait", collapseWait);
        notNegative("pipeline.hitForMissTtl", hitForMissTtl);
        notNegative("pipeline.keepWindow", keepWindow);
        if (maxFollowerLagBytes < 16 * 1024 || maxFollowerLagBytes > (1L << 30)) {
            throw new InvalidSetting("pipeline.maxFollowerLag", maxFollowerLagBytes,
                    "must be between 16384 and 1073741824");
        }
        if (revalidationThreads < 1 || revalidationThreads > 256) {
            throw new InvalidSetting("pipeline.revalidationThreads", revalidationThreads, "must be between 1 and 256");
        }
        if (rangeJoinAheadBytes < 0 || rangeJoinAheadBytes > (1L << 40)) {
            throw new InvalidSetting("pipeline.rangeJoinAhead", rangeJoinAheadBytes,
                    "must be between 0 and 1099511627776");
        }
    }

    /** The settings without the range-from-fill keys (those take their defaults). */
    public PipelineConfig(Duration collapseWait, Duration hitForMissTtl, Duration keepWindow, long maxFollowerLagBytes,
                          int revalidationThreads, boolean fillOnClientDisconnect) {
        this(collapseWait, hitForMissTtl, keepWindow, maxFollowerLagBytes, revalidationThreads, fillOnClientDisconnect,
                true, DEFAULT_RANGE_JOIN_AHEAD);
    }

    /** The defaults listed in the class comment. */
    public static PipelineConfig defaults() {
        return new PipelineConfig(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofHours(1),
                1024 * 1024, 2, true);
    }

    public PipelineConfig withCollapseWait(Duration d) {
        return new PipelineConfig(d, hitForMissTtl, keepWindow, maxFollowerLagBytes, revalidationThreads,
                fillOnClientDisconnect, rangeFromFill, rangeJoinAheadBytes);
    }

    public PipelineConfig withHitForMissTtl(Duration d) {
        return new PipelineConfig(collapseWait, d, keepWindow, maxFollowerLagBytes, revalidationThreads,
                fillOnClientDisconnect, rangeFromFill, rangeJoinAheadBytes);
    }

    public PipelineConfig withKeepWindow(Duration d) {
        return new PipelineConfig(collapseWait, hitForMissTtl, d, maxFollowerLagBytes, revalidationThreads,
                fillOnClientDisconnect, rangeFromFill, rangeJoinAheadBytes);
    }

    public PipelineConfig withMaxFollowerLagBytes(long n) {
        return new PipelineConfig(collapseWait, hitForMissTtl, keepWindow, n, revalidationThreads,
                fillOnClientDisconnect, rangeFromFill, rangeJoinAheadBytes);
    }

    public PipelineConfig withFillOnClientDisconnect(boolean b) {
        return new PipelineConfig(collapseWait, hitForMissTtl, keepWindow, maxFollowerLagBytes, revalidationThreads, b,
                rangeFromFill, rangeJoinAheadBytes);
    }

    public PipelineConfig withRangeFromFill(boolean b) {
        return new PipelineConfig(collapseWait, hitForMissTtl, keepWindow, maxFollowerLagBytes, revalidationThreads,
                fillOnClientDisconnect, b, rangeJoinAheadBytes);
    }

    public PipelineConfig withRangeJoinAheadBytes(long n) {
        return new PipelineConfig(collapseWait, hitForMissTtl, keepWindow, maxFollowerLagBytes, revalidationThreads,
                fillOnClientDisconnect, rangeFromFill, n);
    }

    private static void positive(String key, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new InvalidSetting(key, d, "must be a positive duration");
        }
    }

    private static void notNegative(String key, Duration d) {
        if (d == null || d.isNegative()) {
            throw new InvalidSetting(key, d, "must be a duration of zero or more");
        }
    }
}
