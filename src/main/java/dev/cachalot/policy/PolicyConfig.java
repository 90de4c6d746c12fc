package dev.cachalot.policy;

import java.time.Duration;

/**
 * Operator settings the policy ring honours. Validation happens here so a bad value fails at
 * start; the config loader adds the file and key to the message.
 *
 * @param shared               true for a shared cache (always true for Cachalot; false only in tests
 *                             that show the private-cache difference)
 * @param heuristicFraction    fraction of (Date - Last-Modified) used as heuristic freshness (RFC 9111 §4.2.2), 0..1
 * @param heuristicCap         upper bound of heuristic freshness
 * @param maxVariantsPerUrl    cap on stored Vary variants of one URL (&gt;= 1)
 * @param targetedField        the cache's own targeted field (RFC 9213), e.g. "Cachalot-Cache-Control"; null = none
 * @param honorCdnCacheControl whether CDN-Cache-Control (RFC 9213 §3) applies to this cache
 * @param setCookiePolicy      what to do with Set-Cookie responses
 * @param statusHeader         name of the short status header (X-Cache-Status); null = off
 * @param cacheName            this cache's identifier in Cache-Status (RFC 9211 §2)
 * @param maxRanges            ranges above this count in one Range field are ignored (full 200 sent)
 */
public record PolicyConfig(boolean shared, double heuristicFraction, Duration heuristicCap, int maxVariantsPerUrl,
                           String targetedField, boolean honorCdnCacheControl, SetCookiePolicy setCookiePolicy,
                           String statusHeader, String cacheName, int maxRanges) {

    public PolicyConfig {
        if (!(heuristicFraction >= 0.0 && heuristicFraction <= 1.0)) {
            throw new IllegalArgumentException("heuristicFraction must be between 0 and 1, got " + heuristicFraction);
        }
        if (heuristicCap == null || heuristicCap.isNegative()) {
            throw new IllegalArgumentException("heuristicCap must be a non-negative duration, got " + heuristicCap);
        }
        if (maxVariantsPerUrl < 1) {
            throw new IllegalArgumentException("maxVariantsPerUrl must be at least 1, got " + maxVariantsPerUrl);
        }
        if (targetedField != null && !CacheControl.isToken(targetedField)) {
            throw new IllegalArgumentException("targetedField must be a field name (token), got '" + targetedField + "'");
        }
        if (setCookiePolicy == null) {
            throw new IllegalArgumentException("setCookiePolicy must be set");
        }
        if (statusHeader != null && !CacheControl.isToken(statusHeader)) {
            throw new IllegalArgumentException("statusHeader must be a field name (token), got '" + statusHeader + "'");
        }
        if (cacheName == null || cacheName.isEmpty() || !StructuredFields.printable(cacheName).equals(cacheName)) {
            throw new IllegalArgumentException("cacheName must be non-empty printable ASCII, got '" + cacheName + "'");
        }
        if (maxRanges < 1) {
            throw new IllegalArgumentException("maxRanges must be at least 1, got " + maxRanges);
        }
    }

    /** The defaults: shared, 10% heuristic capped at one day, 16 variants, Cachalot-Cache-Control, X-Cache-Status. */
    public static PolicyConfig defaults() {
        return new PolicyConfig(true, 0.10, Duration.ofDays(1), 16, "Cachalot-Cache-Control", true,
                SetCookiePolicy.STORE_WHEN_SHAREABLE, "X-Cache-Status", "Cachalot", 16);
    }

    public PolicyConfig withSetCookiePolicy(SetCookiePolicy p) {
        return new PolicyConfig(shared, heuristicFraction, heuristicCap, maxVariantsPerUrl, targetedField,
                honorCdnCacheControl, p, statusHeader, cacheName, maxRanges);
    }

    public PolicyConfig withShared(boolean s) {
        return new PolicyConfig(s, heuristicFraction, heuristicCap, maxVariantsPerUrl, targetedField,
                honorCdnCacheControl, setCookiePolicy, statusHeader, cacheName, maxRanges);
    }

    public PolicyConfig withMaxVariantsPerUrl(int n) {
        return new PolicyConfig(shared, heuristicFraction, heuristicCap, n, targetedField,
                honorCdnCacheControl, setCookiePolicy, statusHeader, cacheName, maxRanges);
    }

    public PolicyConfig withStatusHeader(String name) {
        return new PolicyConfig(shared, heuristicFraction, heuristicCap, maxVariantsPerUrl, targetedField,
                honorCdnCacheControl, setCookiePolicy, name, cacheName, maxRanges);
    }
}
