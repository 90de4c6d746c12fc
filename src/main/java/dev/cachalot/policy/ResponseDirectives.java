package dev.cachalot.policy;

import dev.cachalot.http.HeaderFields;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The response directives that apply to THIS cache: the most specific valid targeted field
 * (RFC 9213: the configured own field, then CDN-Cache-Control) replaces Cache-Control entirely;
 * then route overrides remove ignored directives.
 *
 * @param cc             the effective directives
 * @param source         where they came from
 * @param overrideDetail "override ..." text when a route override removed a present directive, else null
 */
public record ResponseDirectives(CacheControl cc, Source source, String overrideDetail) {

    /** Which field the effective directives came from. */
    public enum Source {
        /** The cache's own targeted field (e.g. Cachalot-Cache-Control). */
        OWN_TARGETED,
        /** CDN-Cache-Control (RFC 9213 §3). */
        CDN_CACHE_CONTROL,
        /** Plain Cache-Control (or nothing). */
        CACHE_CONTROL
    }

    /** Computes the effective directives of a response head for this cache. */
    public static ResponseDirectives of(HeaderFields headers, PolicyConfig config, RouteOverrides overrides) {
        CacheControl cc = null;
        Source source = Source.CACHE_CONTROL;
        if (config.targetedField() != null) {
            Optional<CacheControl> own = targeted(headers, config.targetedField());
            if (own.isPresent()) {
                cc = own.get();
                source = Source.OWN_TARGETED;
            }
        }
        if (cc == null && config.honorCdnCacheControl()) {
            Optional<CacheControl> cdn = targeted(headers, "CDN-Cache-Control");
            if (cdn.isPresent()) {
                cc = cdn.get();
                source = Source.CDN_CACHE_CONTROL;
            }
        }
        if (cc == null) {
            cc = CacheControl.parse(headers);
        }
        String detail = null;
        if (!overrides.ignoredDirectives().isEmpty()) {
            List<String> removed = new ArrayList<>();
            for (String d : overrides.ignoredDirectives()) {
                if (!cc.without(java.util.Set.of(d)).format().equals(cc.format())) {
                    removed.add(d);
                }
            }
            if (!removed.isEmpty()) {
                removed.sort(null);
                cc = cc.without(overrides.ignoredDirectives());
                detail = overrides.describe("ignored " + String.join(" ", removed));
            }
        }
        return new ResponseDirectives(cc, source, detail);
    }

    /**
     * Parses a targeted field as an RFC 8941 Dictionary. RFC 9213 §2.1: an empty field or a parse
     * error means the field is ignored, so empty is returned and the next field down applies.
     */
    static Optional<CacheControl> targeted(HeaderFields headers, String name) {
        String combined = headers.combined(name);
        if (combined == null || combined.isBlank()) {
            return Optional.empty();
        }
        Optional<Map<String, Object>> dict = StructuredFields.parseDictionary(combined.trim());
        if (dict.isEmpty() || dict.get().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(CacheControl.fromDictionary(dict.get()));
    }
}
