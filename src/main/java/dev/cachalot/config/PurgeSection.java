package dev.cachalot.config;

import dev.cachalot.purge.PurgeConfig;
import java.util.List;

/**
 * The {@code purge:} section bound to {@link PurgeConfig}: keys {@code enabled}, {@code allowFrom},
 * {@code tagHeaders}, {@code stripTagHeaders}; unknown keys and bad values fail naming the key.
 */
final class PurgeSection {
    private PurgeSection() {}

    static PurgeConfig from(ConfigNode n) {
        PurgeConfig d = PurgeConfig.DEFAULTS;
        boolean enabled = n.bool("enabled", d.enabled());
        List<String> allowFrom = n.strings("allowFrom", d.allowFrom().stream().map(Object::toString).toList());
        List<String> tagHeaders = n.strings("tagHeaders", d.tagHeaders());
        boolean strip = n.bool("stripTagHeaders", d.stripTagHeaders());
        n.finish();
        try {
            return PurgeConfig.of(enabled, allowFrom, tagHeaders, strip);
        } catch (IllegalArgumentException e) {
            // PurgeConfig names the key first: "purge.allowFrom[1]: '10.0.0.1/8' must be ...".
            String m = e.getMessage();
            int colon = m.indexOf(": ");
            String key = colon > 0 ? m.substring(0, colon) : "purge";
            String rest = colon > 0 ? m.substring(colon + 2) : m;
            String value = null;
            if (rest.startsWith("'")) {
                int end = rest.indexOf("' ", 1);
                if (end > 0) {
                    value = rest.substring(1, end);
                    rest = rest.substring(end + 2);
                }
            } else if (rest.startsWith("[] ")) {
                value = "[]";
                rest = rest.substring(3);
            }
            throw new ConfigException(n.source(), key, value, rest);
        }
    }
}
