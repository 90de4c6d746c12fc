package dev.cachalot.pipeline;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.RequestHead;
import dev.cachalot.policy.PolicyConfig;
import dev.cachalot.policy.RangePlan;
import dev.cachalot.policy.RangePlanner;
import dev.cachalot.policy.StoredResponse;
import java.time.Instant;

/**
 * How a Range request for a URL whose whole-object fill is in progress is answered from that fill
 * (docs/pipeline.md, "Range requests and fills in progress"). The fill's response head and announced
 * length stand in for the stored response, so {@link RangePlanner} applies the same rules as on a
 * hit: If-Range by strong comparison only (RFC 9110 §13.1.5), coalesced ranges, the range-count cap,
 * 416 for an unsatisfiable set. Pure: the pipeline then attaches to the fill's body at
 * {@link Answer.Ranged#body()}'s first offset, or forwards the request on its own.
 */
final class RangeFromFill {
    private RangeFromFill() {}

    /** The answer a range request gets from a fill in progress. */
    sealed interface Answer {
        /** 206 with one part or multipart/byteranges, streamed from the fill. */
        record Ranged(RangePlan plan, RangeBody body) implements Answer {}

        /**
         * Range is ignored (If-Range does not match, the fill is not a 200, an invalid or over-long
         * range set): the whole response, streamed from the fill's first byte like a collapsed follower.
         */
        record Whole(String why, RangeBody body) implements Answer {}

        /** 416: no range of the set overlaps the fill's announced length (RFC 9110 §15.5.17). */
        record Unsatisfiable(RangePlan.Unsatisfiable plan) implements Answer {}

        /** Not answerable from this fill: the request is forwarded to the origin on its own. */
        record Alone(String why) implements Answer {}
    }

    /**
     * Plans the answer to {@code request} from the fill {@code fill}.
     *
     * @param boundary the multipart boundary for several ranges
     * @param now      the time (stands in for the fill's request and response time; only validators are read)
     */
    static Answer plan(RequestHead request, RequestCoalescer.Result.Streaming fill, String boundary,
                       PolicyConfig policy, Instant now) {
        if (!fill.selects(request)) {
            return new Answer.Alone("the fill is another variant");
        }
        if (request.headers().contains("If-None-Match") || request.headers().contains("If-Modified-Since")) {
            // RFC 9110 §13.2.2: these are evaluated before Range; the origin answers such a request itself.
            return new Answer.Alone("a conditional request");
        }
        if (fill.contentLength() < 0) {
            // Without the final length no Content-Range can be written before the fill ends.
            return new Answer.Alone("the fill's length is unknown");
        }
        StoredResponse view = new StoredResponse(now, now, fill.head(), HeaderFields.empty(), fill.contentLength());
        RangePlan plan = RangePlanner.plan(request, view, boundary, policy);
        if (plan instanceof RangePlan.Unsatisfiable u) {
            return new Answer.Unsatisfiable(u);
        }
        if (plan instanceof RangePlan.Full f) {
            return new Answer.Whole(f.reason(), RangeBody.whole(fill.contentLength()));
        }
        return new Answer.Ranged(plan, RangeBody.of(plan));
    }
}
