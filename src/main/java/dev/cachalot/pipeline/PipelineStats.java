package dev.cachalot.pipeline;

/**
 * Counters of the pipeline's own machinery, for metrics and the admin endpoint.
 *
 * @param inFlight               origin fetches currently led by a collapsing leader
 * @param followersJoined        requests that waited on another request's fetch
 * @param followerTimeouts       followers that stopped waiting after {@code pipeline.collapseWait}
 * @param followersLagged        followers detached for falling behind the origin by more than the lag cap
 * @param hitForMissPasses       requests sent straight to the origin because of a hit-for-miss mark
 * @param truncatedBodies        origin bodies that were cut off (never stored, clients aborted)
 * @param backgroundStarted      background revalidations started
 * @param backgroundSkipped      background revalidations not started (one already running, or pool full)
 * @param rangesFromFill         range requests answered from a whole-object fill in progress
 * @param rangesBesideFill       range requests forwarded on their own although a fill of the URL was in
 *                               progress (start released or too far ahead, unknown length, other variant)
 */
public record PipelineStats(int inFlight, long followersJoined, long followerTimeouts, long followersLagged,
                            long hitForMissPasses, long truncatedBodies, long backgroundStarted,
                            long backgroundSkipped, long rangesFromFill, long rangesBesideFill) {
}
