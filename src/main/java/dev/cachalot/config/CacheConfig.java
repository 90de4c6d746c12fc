package dev.cachalot.config;

import dev.cachalot.policy.PolicyConfig;
import dev.cachalot.policy.SetCookiePolicy;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * The {@code cache:} section: whether caching is on at all, and the policy settings.
 *
 * @param enabled false makes Cachalot a pass-through proxy (nothing is looked up or stored)
 * @param policy  the rules' operator settings; defaults are {@link PolicyConfig#defaults()}
 */
public record CacheConfig(boolean enabled, PolicyConfig policy) {
    static CacheConfig from(ConfigNode n) {
        PolicyConfig d = PolicyConfig.defaults();
        boolean enabled = n.bool("enabled", true);
        double fraction = n.decimal("heuristicFraction", d.heuristicFraction(), 0.0, 1.0);
        Duration cap = n.duration("heuristicCap", d.heuristicCap(), Duration.ZERO, Duration.ofDays(3650));
        int variants = n.integer("maxVariantsPerUrl", d.maxVariantsPerUrl(), 1, 4096);
        String targeted = optionalToken(n, "targetedField", d.targetedField());
        boolean cdn = n.bool("honorCdnCacheControl", d.honorCdnCacheControl());
        String cookie = n.string("setCookiePolicy", d.setCookiePolicy().name());
        SetCookiePolicy setCookie;
        try {
            setCookie = SetCookiePolicy.valueOf(cookie.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw n.fail("setCookiePolicy", cookie, "must be one of " + Arrays.toString(SetCookiePolicy.values()));
        }
        String status = optionalToken(n, "statusHeader", d.statusHeader());
        String name = n.string("cacheName", d.cacheName());
        int maxRanges = n.integer("maxRanges", d.maxRanges(), 1, 1024);
        n.finish();
        try {
            return new CacheConfig(enabled, new PolicyConfig(true, fraction, cap, variants, targeted, cdn, setCookie,
                    status, name, maxRanges));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(n.source(), "cache", null, e.getMessage());
        }
    }

    /** A field name, or null for "" / false (the feature is off). */
    private static String optionalToken(ConfigNode n, String key, String dflt) {
        String v = n.string(key, dflt == null ? "" : dflt);
        if (v.isEmpty() || v.equals("false")) {
            return null;
        }
        if (!v.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
            throw n.fail(key, v, "must be a header field name, or \"\" to turn it off");
        }
        return v;
    }
}
