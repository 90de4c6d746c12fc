package dev.cachalot.policy;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.HttpDates;
import dev.cachalot.http.RequestHead;
import dev.cachalot.http.ResponseHead;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Validation with the origin (RFC 9111 §4.3): building the conditional request, and choosing the
 * stored responses a 304 updates (§4.3.4).
 */
public final class ConditionalRequests {
    private ConditionalRequests() {}

    /** Client fields replaced or dropped when the cache validates its own entry. */
    private static final String[] CLIENT_CONDITIONALS = {"If-None-Match", "If-Modified-Since", "If-Match",
            "If-Unmodified-Since", "If-Range", "Range"};

    /**
     * The request to validate stored responses (RFC 9111 §4.3.1): the client request sanitised, its
     * own conditionals and Range removed (they are evaluated locally afterwards), If-None-Match with
     * the entity tags of ALL stored variants of the URL (MUST send the relevant tags), and
     * If-Modified-Since from the selected response's Last-Modified, or its Date, only when no stored
     * variant has an entity tag (SHOULD). With no validator at all the request is unconditional and a
     * 200 simply replaces the entry. HEAD is validated with GET so the body can be stored.
     *
     * @param client   the client request
     * @param selected the selected stored response, or null when Vary selected none
     * @param variants every stored response of the URL
     */
    public static RequestHead build(RequestHead client, StoredResponse selected, List<StoredResponse> variants) {
        HeaderFields.Builder b = ForwardedFields.sanitize(client).headers().without(CLIENT_CONDITIONALS).toBuilder();
        List<String> tags = new ArrayList<>();
        for (StoredResponse v : variants) {
            EntityTag t = v.etag();
            if (t != null && !tags.contains(t.format())) {
                tags.add(t.format());
            }
        }
        if (!tags.isEmpty()) {
            b.add("If-None-Match", String.join(", ", tags));
        } else if (selected != null) {
            String lm = selected.head().headers().first("Last-Modified");
            Optional<Instant> date = HttpDates.parse(lm);
            if (date.isEmpty()) {
                // RFC 9110 §13.1.3: the date may come from Date when there is no Last-Modified.
                date = HttpDates.parse(selected.head().headers().first("Date"));
            }
            date.ifPresent(d -> b.add("If-Modified-Since", HttpDates.format(d)));
        }
        return new RequestHead("GET", client.scheme(), client.authority(), client.target(), client.protocol(),
                b.build());
    }

    /** True when the request carries a validator (If-None-Match or If-Modified-Since). */
    public static boolean isConditional(RequestHead r) {
        return r.headers().contains("If-None-Match") || r.headers().contains("If-Modified-Since");
    }

    /**
     * The stored responses a 304 updates (RFC 9111 §4.3.4), as indexes into {@code variants}:
     * <ul>
     *   <li>a strong ETag in the 304: every stored response with that same strong tag (none: nothing);</li>
     *   <li>otherwise a weak ETag or a Last-Modified: the most recent stored response that matches it;</li>
     *   <li>no validator: the only stored response, if it has no validator either.</li>
     * </ul>
     * Last-Modified is treated as a weak validator (RFC 9110 §8.8.2.2 strength is not knowable here).
     * An empty result means the 304 cannot be used: the pipeline must repeat the request unconditionally.
     */
    public static List<Integer> select304(ResponseHead notModified, List<StoredResponse> variants) {
        return select304(notModified, variants, null);
    }

    /**
     * As {@link #select304(ResponseHead, List)}, knowing which stored response the cache validated.
     * Deliberate deviation (docs/policy.md): a 304 without any validator that answers our own
     * If-Modified-Since for {@code validated} (which has no ETag) updates {@code validated}; RFC 9111
     * §4.3.4 would select nothing when that response has a Last-Modified, yet origins commonly omit
     * Last-Modified from 304s (RFC 9110 §15.4.5 does not require it).
     */
    public static List<Integer> select304(ResponseHead notModified, List<StoredResponse> variants,
                                          StoredResponse validated) {
        Optional<EntityTag> etag = EntityTag.parse(notModified.headers().first("ETag"));
        Optional<Instant> lm = HttpDates.parse(notModified.headers().first("Last-Modified"));
        List<Integer> out = new ArrayList<>();
        if (etag.isPresent() && !etag.get().weak()) {
            for (int i = 0; i < variants.size(); i++) {
                EntityTag t = variants.get(i).etag();
                if (t != null && t.strongMatch(etag.get())) {
                    out.add(i);
                }
            }
            return out;
        }
        if (etag.isPresent() || lm.isPresent()) {
            int best = -1;
            for (int i = 0; i < variants.size(); i++) {
                StoredResponse v = variants.get(i);
                boolean match;
                if (etag.isPresent()) {
                    EntityTag t = v.etag();
                    match = t != null && t.weakMatch(etag.get());
                } else {
                    match = lm.get().equals(v.lastModified());
                }
                if (match && (best < 0 || v.responseTime().isAfter(variants.get(best).responseTime()))) {
                    best = i;
                }
            }
            if (best >= 0) {
                out.add(best);
            }
            return out;
        }
        if (variants.size() == 1 && variants.get(0).etag() == null && variants.get(0).lastModified() == null) {
            out.add(0);
        } else if (validated != null && validated.etag() == null) {
            int i = variants.indexOf(validated);
            if (i >= 0) {
                out.add(i);
            }
        }
        return out;
    }
}
