package dev.cachalot.config;

import dev.cachalot.accesslog.AccessLogFormat;

/**
 * The {@code accessLog:} section.
 *
 * @param enabled write one line per exchange to the {@code cachalot.access} logger
 * @param format  {@code combined}, {@code json}, or a pattern of {@code %{field}} placeholders
 */
public record AccessLogConfig(boolean enabled, String format) {
    static AccessLogConfig from(ConfigNode n) {
        boolean enabled = n.bool("enabled", true);
        String format = n.string("format", "combined");
        try {
            AccessLogFormat.of(format);
        } catch (IllegalArgumentException e) {
            throw n.fail("format", format, "must be combined, json or a %{field} pattern (" + e.getMessage() + ")");
        }
        n.finish();
        return new AccessLogConfig(enabled, format);
    }
}
