package dev.cachalot.policy;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.HttpDates;
import dev.cachalot.http.RequestHead;
import dev.cachalot.http.ResponseHead;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Answering Range requests from a stored complete 200 response (RFC 9110 §14). Overlapping or
 * adjacent ranges are coalesced; more than {@link PolicyConfig#maxRanges()} ranges (after
 * coalescing) make the cache ignore Range and send the full 200, as RFC 9110 §14.2 allows for a
 * "large number of ranges" (an amplification defence).
 */
public final class RangePlanner {
    private RangePlanner() {}

    /** Range fields with more specs than this are ignored before any range is resolved. */
    static final int MAX_RAW_SPECS = 1000;

    /** The plan of every request without a Range (or not a GET): one value, not one per request. */
    private static final RangePlan.Full NO_RANGE = new RangePlan.Full("no range");

    /**
     * Plans the answer.
     *
     * @param request  the client request (GET only: Range is ignored for other methods, §14.2)
     * @param stored   the stored response (must be a complete 200 to be ranged)
     * @param boundary the multipart boundary to use when several ranges are sent (1..70 bcharsnospace chars)
     */
    public static RangePlan plan(RequestHead request, StoredResponse stored, String boundary, PolicyConfig config) {
        String range = request.headers().combined("Range");
        if (range == null || !request.isMethod("GET")) {
            return NO_RANGE;
        }
        if (stored.head().status() != 200) {
            return new RangePlan.Full("not a 200");
        }
        String ifRange = request.headers().first("If-Range");
        if (ifRange != null && !ifRangeMatches(ifRange.trim(), stored)) {
            return new RangePlan.Full("if-range mismatch"); // RFC 9110 §13.1.5: send the whole representation
        }
        Optional<ByteRangeSet> set = ByteRangeSet.parse(range);
        if (set.isEmpty()) {
            return new RangePlan.Full("invalid range"); // RFC 9110 §14.2: ignore an invalid Range
        }
        if (set.get().specs().size() > MAX_RAW_SPECS) {
            return new RangePlan.Full("too many ranges"); // bound the work before resolving
        }
        long len = stored.bodyLength();
        List<ByteRangeSet.Resolved> resolved = set.get().resolve(len);
        if (resolved.isEmpty()) {
            return new RangePlan.Unsatisfiable("bytes */" + len);
        }
        List<ByteRangeSet.Resolved> ranges = ByteRangeSet.coalesce(resolved);
        if (ranges.size() > config.maxRanges()) {
            return new RangePlan.Full("too many ranges");
        }
        if (ranges.size() == 1) {
            ByteRangeSet.Resolved r = ranges.get(0);
            return new RangePlan.Single(r.start(), r.length(), contentRange(r, len));
        }
        String type = stored.head().headers().first("Content-Type");
        List<RangePlan.Part> parts = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < ranges.size(); i++) {
            ByteRangeSet.Resolved r = ranges.get(i);
            StringBuilder h = new StringBuilder();
            if (i > 0) {
                h.append("\r\n");
            }
            h.append("--").append(boundary).append("\r\n");
            if (type != null) {
                h.append("Content-Type: ").append(type).append("\r\n");
            }
            h.append("Content-Range: ").append(contentRange(r, len)).append("\r\n\r\n");
            String head = h.toString();
            parts.add(new RangePlan.Part(head, r.start(), r.length()));
            total += head.getBytes(StandardCharsets.ISO_8859_1).length + r.length();
        }
        String trailer = "\r\n--" + boundary + "--\r\n";
        total += trailer.length();
        return new RangePlan.Multipart(boundary, "multipart/byteranges; boundary=" + boundary, parts, trailer, total);
    }

    /**
     * The response head for a plan, built from the stored head: 206 with Content-Range and
     * Content-Length for one part; 206 with the multipart Content-Type and exact Content-Length for
     * several; 416 with {@code Content-Range: bytes *&#47;len} (RFC 9110 §15.5.17) and only Date,
     * ETag and Last-Modified kept; the stored head unchanged for {@link RangePlan.Full}. Every ranged
     * or full 200 answer advertises {@code Accept-Ranges: bytes} (RFC 9110 §14.3).
     */
    public static ResponseHead head(ResponseHead stored, RangePlan plan) {
        HeaderFields s = stored.headers();
        if (plan instanceof RangePlan.Single) {
            RangePlan.Single one = (RangePlan.Single) plan;
            return new ResponseHead(206, s.toBuilder().set("Content-Range", one.contentRange())
                    .set("Content-Length", Long.toString(one.length())).set("Accept-Ranges", "bytes").build());
        }
        if (plan instanceof RangePlan.Multipart) {
            RangePlan.Multipart m = (RangePlan.Multipart) plan;
            return new ResponseHead(206, s.toBuilder().remove("Content-Range").set("Content-Type", m.contentType())
                    .set("Content-Length", Long.toString(m.contentLength())).set("Accept-Ranges", "bytes").build());
        }
        if (plan instanceof RangePlan.Unsatisfiable) {
            HeaderFields.Builder b = HeaderFields.builder();
            for (String n : new String[] {"Date", "ETag", "Last-Modified"}) {
                for (String v : s.all(n)) {
                    b.add(n, v);
                }
            }
            b.add("Content-Range", ((RangePlan.Unsatisfiable) plan).contentRange()).add("Content-Length", "0");
            return new ResponseHead(416, b.build());
        }
        return stored.status() == 200 ? stored.withHeaders(s.with("Accept-Ranges", "bytes")) : stored;
    }

    private static String contentRange(ByteRangeSet.Resolved r, long len) {
        return "bytes " + r.start() + "-" + r.end() + "/" + len;
    }

    /**
     * RFC 9110 §13.1.5: an entity-tag If-Range matches only by strong comparison; an HTTP-date only
     * when it equals the stored Last-Modified exactly and that date is strong, i.e. at least one
     * second before the stored Date (§8.8.2.2).
     */
    static boolean ifRangeMatches(String ifRange, StoredResponse stored) {
        if (ifRange.startsWith("\"") || ifRange.startsWith("W/")) {
            Optional<EntityTag> t = EntityTag.parse(ifRange);
            EntityTag s = stored.etag();
            return t.isPresent() && s != null && t.get().strongMatch(s);
        }
        Optional<Instant> d = HttpDates.parse(ifRange);
        Instant lm = stored.lastModified();
        Instant date = stored.date();
        return d.isPresent() && lm != null && d.get().equals(lm) && date != null
                && Duration.between(lm, date).getSeconds() >= 1;
    }
}
