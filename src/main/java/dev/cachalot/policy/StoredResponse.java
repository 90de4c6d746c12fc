package dev.cachalot.policy;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.HttpDates;
import dev.cachalot.http.ResponseHead;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The policy's view of one stored response (a variant of a URL), independent of the storage
 * module: the pipeline maps store entries to this. It parses its head once, lazily, and keeps the
 * parsed facts (dates, validators, Vary, normalised selecting values, the corrected initial age and
 * the directives and lifetime under the last configuration asked for), so keeping one instance per
 * stored entry (e.g. next to it in the memory tier) makes repeated decisions cheap. Instances are
 * immutable in meaning and safe to share between threads; the caches are idempotent.
 */
public final class StoredResponse {
    private final Instant requestTime;
    private final Instant responseTime;
    private final ResponseHead head;
    private final HeaderFields selectingHeaders;
    private final long bodyLength;

    private volatile Facts facts;
    private volatile Policy policy;
    /** The last {@link CacheDecision.Serve} of this response ({@link #serve}), or null. */
    private volatile CacheDecision.Serve lastServe;

    /**
     * @param requestTime      when the cache sent the request that produced it (RFC 9111 §4.2.3 request_time)
     * @param responseTime     when the cache received the response (RFC 9111 §4.2.3 response_time)
     * @param head             the stored response head (as stored: storage-excluded fields removed)
     * @param selectingHeaders the stored request's lines of the fields named in the response's Vary
     *                         (as received; {@link VaryNormalizer} normalises them)
     * @param bodyLength       the stored content length in bytes
     */
    public StoredResponse(Instant requestTime, Instant responseTime, ResponseHead head, HeaderFields selectingHeaders,
                          long bodyLength) {
        this.requestTime = Objects.requireNonNull(requestTime, "requestTime");
        this.responseTime = Objects.requireNonNull(responseTime, "responseTime");
        this.head = Objects.requireNonNull(head, "head");
        this.selectingHeaders = Objects.requireNonNull(selectingHeaders, "selectingHeaders");
        if (bodyLength < 0) {
            throw new IllegalArgumentException("bodyLength must not be negative: " + bodyLength);
        }
        this.bodyLength = bodyLength;
    }

    public Instant requestTime() {
        return requestTime;
    }

    public Instant responseTime() {
        return responseTime;
    }

    public ResponseHead head() {
        return head;
    }

    public HeaderFields selectingHeaders() {
        return selectingHeaders;
    }

    public long bodyLength() {
        return bodyLength;
    }

    /** The stored ETag, or null when absent or malformed. */
    public EntityTag etag() {
        return facts().etag;
    }

    /** The stored Last-Modified, or null. */
    public Instant lastModified() {
        return facts().lastModified;
    }

    /** The stored Date, or null when absent or invalid. */
    public Instant date() {
        return facts().date;
    }

    /** date_value for age and selection: the Date, or the response time without a valid Date (RFC 9111 §4.2.3). */
    Instant dateValue() {
        Instant d = facts().date;
        return d != null ? d : responseTime;
    }

    /** corrected_initial_age in seconds (RFC 9111 §4.2.3); fixed for the life of the stored response. */
    long correctedInitialAge() {
        return facts().correctedInitialAge;
    }

    /** The lower-case Vary names of the stored response. */
    List<String> varyNames() {
        return facts().varyNames;
    }

    /** The normalised stored selecting value of {@code varyNames().get(i)}, or null when absent. */
    String normalizedSelecting(int i) {
        return facts().normalizedSelecting.get(i);
    }

    /** The effective directives under this configuration (cached for the last one asked). */
    ResponseDirectives directives(PolicyConfig config, RouteOverrides overrides) {
        return policy(config, overrides).directives;
    }

    /** The freshness lifetime under this configuration (cached for the last one asked). */
    Freshness.Lifetime lifetime(PolicyConfig config, RouteOverrides overrides) {
        return policy(config, overrides).lifetime;
    }

    /**
     * The decision to serve this response with these values: the last one made when its values are
     * the same (they change at most once a second for a hot response: the age), else a new one.
     * A decision is an immutable value, so handing the same one to several requests changes nothing.
     */
    CacheDecision.Serve serve(long age, long ttl, String detail) {
        CacheDecision.Serve s = lastServe;
        if (s != null && s.age() == age && s.ttl() == ttl && Objects.equals(s.detail(), detail)) {
            return s;
        }
        s = new CacheDecision.Serve(this, age, ttl, detail);
        lastServe = s;
        return s;
    }

    /** A copy with another head (after a 304 or HEAD update) and new request/response times. */
    public StoredResponse updated(ResponseHead newHead, Instant newRequestTime, Instant newResponseTime) {
        return new StoredResponse(newRequestTime, newResponseTime, newHead, selectingHeaders, bodyLength);
    }

    private Facts facts() {
        Facts f = facts;
        if (f == null) {
            f = new Facts(this);
            facts = f;
        }
        return f;
    }

    private Policy policy(PolicyConfig config, RouteOverrides overrides) {
        Policy p = policy;
        if (p == null || p.config != config || p.overrides != overrides) {
            ResponseDirectives d = ResponseDirectives.of(head.headers(), config, overrides);
            p = new Policy(config, overrides, d, Freshness.lifetime(head, d, responseTime, config, overrides));
            policy = p;
        }
        return p;
    }

    /** Facts parsed from the head once. */
    private static final class Facts {
        final Instant date;
        final EntityTag etag;
        final Instant lastModified;
        final long correctedInitialAge;
        final List<String> varyNames;
        final List<String> normalizedSelecting;

        Facts(StoredResponse r) {
            HeaderFields h = r.head.headers();
            date = HttpDates.parse(h.first("Date")).orElse(null);
            etag = EntityTag.parse(h.first("ETag")).orElse(null);
            lastModified = HttpDates.parse(h.first("Last-Modified")).orElse(null);
            correctedInitialAge = AgeCalculator.correctedInitialAge(r.requestTime, r.responseTime,
                    date != null ? date : r.responseTime, AgeCalculator.ageValue(h));
            varyNames = Collections.unmodifiableList(VaryNormalizer.varyNames(h));
            List<String> norm = new ArrayList<>(varyNames.size());
            for (String n : varyNames) {
                norm.add(VaryNormalizer.normalize(n, r.selectingHeaders.all(n)));
            }
            normalizedSelecting = Collections.unmodifiableList(norm);
        }
    }

    /** Directives and lifetime under one configuration. */
    private static final class Policy {
        final PolicyConfig config;
        final RouteOverrides overrides;
        final ResponseDirectives directives;
        final Freshness.Lifetime lifetime;

        Policy(PolicyConfig config, RouteOverrides overrides, ResponseDirectives directives, Freshness.Lifetime lifetime) {
            this.config = config;
            this.overrides = overrides;
            this.directives = directives;
            this.lifetime = lifetime;
        }
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof StoredResponse)) {
            return false;
        }
        StoredResponse s = (StoredResponse) o;
        return bodyLength == s.bodyLength && requestTime.equals(s.requestTime) && responseTime.equals(s.responseTime)
                && head.equals(s.head) && selectingHeaders.equals(s.selectingHeaders);
    }

    @Override
    public int hashCode() {
        return Objects.hash(requestTime, responseTime, head, selectingHeaders, bodyLength);
    }

    @Override
    public String toString() {
        return "StoredResponse[requestTime=" + requestTime + ", responseTime=" + responseTime + ", status="
                + head.status() + ", bodyLength=" + bodyLength + "]";
    }
}
