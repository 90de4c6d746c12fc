package dev.cachalot.config;

/**
 * A configuration that cannot be used, named precisely: the file, the key path (e.g.
 * {@code server.limits.maxConnections}), the value found and the rule it breaks.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String source;
    private final String key;
    private final String value;
    private final String rule;

    public ConfigException(String source, String key, String value, String rule) {
        super(source + ": " + key + (value == null ? "" : " = " + value) + ": " + rule);
        this.source = source;
        this.key = key;
        this.value = value;
        this.rule = rule;
    }

    /** The file (or "command line", "defaults") the bad value came from. */
    public String source() {
        return source;
    }

    /** Dotted key path. */
    public String key() {
        return key;
    }

    /** The offending value as written, or null when the key is missing. */
    public String value() {
        return value;
    }

    /** The rule the value breaks. */
    public String rule() {
        return rule;
    }
}
