package dev.cachalot.policy;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.HttpDates;
import dev.cachalot.http.RequestHead;
import dev.cachalot.http.ResponseHead;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Evaluating a client's conditional request against the stored response that will answer it
 * (RFC 9111 §4.3.2, RFC 9110 §13.2.2). If-Match and If-Unmodified-Since are not applicable to a
 * cache (RFC 9111 §4.3.2), so {@link ReusePolicy} forwards such requests and this class only sees
 * If-None-Match, which takes precedence, and If-Modified-Since. Range / If-Range are step 5 of
 * RFC 9110 §13.2.2 and live in {@link RangePlanner}.
 */
public final class ClientConditionals {
    private ClientConditionals() {}

    /** The outcome of evaluating the preconditions. */
    public enum Outcome {
        /** Answer 304 Not Modified ({@link #notModified}). */
        NOT_MODIFIED,
        /** No applicable precondition stopped the request: answer normally (200, or 206 via RangePlanner). */
        PROCEED
    }

    /** Fields a 304 carries (RFC 9110 §15.4.5) besides Date, which the shaper guarantees. */
    private static final String[] NOT_MODIFIED_FIELDS = {"Cache-Control", "Content-Location", "Date", "ETag",
            "Expires", "Vary", "CDN-Cache-Control"};

    /**
     * Evaluates If-None-Match and If-Modified-Since for a GET or HEAD answered from {@code stored}.
     *
     * @param now the current time: an If-Modified-Since later than now is invalid (RFC 9110 §13.1.3)
     */
    public static Outcome evaluate(RequestHead request, StoredResponse stored, Instant now) {
        if (!request.isMethod("GET") && !request.isMethod("HEAD")) {
            return Outcome.PROCEED;
        }
        HeaderFields h = request.headers();
        List<String> inm = h.all("If-None-Match");
        if (!inm.isEmpty()) {
            // RFC 9110 §13.1.2: weak comparison; false (a match) means 304 for GET/HEAD.
            EntityTag.Condition c = EntityTag.Condition.parse(inm);
            if (c.valid() && c.matchesWeak(stored.etag())) {
                return Outcome.NOT_MODIFIED;
            }
            return Outcome.PROCEED; // If-Modified-Since is ignored when If-None-Match is present
        }
        List<String> ims = h.all("If-Modified-Since");
        if (ims.size() == 1) { // RFC 9110 §13.1.3: ignore when more than one member
            Optional<Instant> since = HttpDates.parse(ims.get(0));
            if (since.isPresent() && !since.get().isAfter(now)) {
                // RFC 9111 §4.3.2: Last-Modified, else Date, else the time the response was received.
                Instant modified = stored.lastModified();
                if (modified == null) {
                    modified = stored.date();
                }
                if (modified == null) {
                    modified = stored.responseTime();
                }
                if (!modified.isAfter(since.get())) {
                    return Outcome.NOT_MODIFIED;
                }
            }
        }
        return Outcome.PROCEED;
    }

    /**
     * The 304 head for a stored response (RFC 9110 §15.4.5): the fields a 200 would have carried
     * among Cache-Control, Content-Location, Date, ETag, Expires and Vary (plus CDN-Cache-Control),
     * and Last-Modified only when there is no ETag, to guide cache updates downstream.
     */
    public static ResponseHead notModified(ResponseHead stored) {
        HeaderFields.Builder b = HeaderFields.builder();
        HeaderFields s = stored.headers();
        for (String n : NOT_MODIFIED_FIELDS) {
            for (String v : s.all(n)) {
                b.add(n, v);
            }
        }
        if (!s.contains("ETag")) {
            for (String v : s.all("Last-Modified")) {
                b.add("Last-Modified", v);
            }
        }
        return new ResponseHead(304, b.build());
    }
}
