package dev.cachalot.policy;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.HttpDates;
import dev.cachalot.http.ResponseHead;

import java.time.Instant;

/**
 * The header fields of a response on its way to the client: Age for responses served from the
 * store (RFC 9111 §5.1, capped at 2^31), Date when missing (RFC 9110 §6.6.1), fields named by a
 * qualified no-cache removed when reused without validation (RFC 9111 §5.2.2.4), our Cache-Status
 * entry appended after any entries the origin or upstream caches sent (RFC 9211 §2: the entry of
 * the cache closest to the client comes last), and the short status header (an upstream copy of it
 * is replaced). All other end-to-end fields are kept as they are; hop-by-hop removal happens in the
 * front-end adapter.
 */
public final class ResponseShaper {
    private ResponseShaper() {}

    /**
     * Shapes the outgoing head.
     *
     * @param head      the stored (possibly updated) head, or the origin head
     * @param age       current age in seconds when the response comes from the store, or null for an
     *                  origin response passed through (its own Age, if any, is kept)
     * @param validated true when the stored response was validated for this request (a 304 arrived)
     * @param status    our Cache-Status entry
     * @param now       the current time (for a missing Date)
     */
    public static ResponseHead shape(ResponseHead head, Long age, boolean validated, CacheStatus status, Instant now,
                                     PolicyConfig config) {
        HeaderFields.Builder b = head.headers().toBuilder();
        if (age != null) {
            b.set("Age", Long.toString(DeltaSeconds.clamp(age)));
            if (!validated && mentionsQualifiedNoCache(head.headers(), config)) {
                CacheControl cc = ResponseDirectives.of(head.headers(), config, RouteOverrides.NONE).cc();
                if (cc.noCache()) {
                    for (String f : cc.noCacheFields()) {
                        b.remove(f);
                    }
                }
            }
        }
        if (!head.headers().contains("Date")) {
            b.add("Date", HttpDates.format(now)); // RFC 9110 §6.6.1: a cache adds Date when absent
        }
        b.add("Cache-Status", status.format());
        if (config.statusHeader() != null) {
            b.set(config.statusHeader(), status.shortStatus().name());
        }
        return head.withHeaders(b.build());
    }

    /**
     * Cheap pre-check so the common hit does not parse directives: does any cache-control-like field
     * (Cache-Control, CDN-Cache-Control, the own targeted field) contain "no-cache=" in any case.
     */
    private static boolean mentionsQualifiedNoCache(HeaderFields h, PolicyConfig config) {
        for (int i = 0; i < h.size(); i++) {
            String n = h.name(i);
            if (!(n.equalsIgnoreCase("Cache-Control") || n.equalsIgnoreCase("CDN-Cache-Control")
                    || (config.targetedField() != null && n.equalsIgnoreCase(config.targetedField())))) {
                continue;
            }
            String v = h.value(i);
            for (int j = v.indexOf('='); j >= 0; j = v.indexOf('=', j + 1)) {
                int end = j;
                while (end > 0 && (v.charAt(end - 1) == ' ' || v.charAt(end - 1) == '\t')) {
                    end--; // the parser tolerates whitespace before '=', so the pre-check does too
                }
                if (end >= 8 && v.regionMatches(true, end - 8, "no-cache", 0, 8)) {
                    return true;
                }
            }
        }
        return false;
    }
}
