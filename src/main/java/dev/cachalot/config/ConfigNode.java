package dev.cachalot.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One mapping of the YAML tree being bound to a record: typed getters with defaults that fail with
 * the key path, the value and the rule, and a final {@link #finish()} that rejects unknown keys.
 * Adding a config section is one record with a {@code from(ConfigNode)} factory.
 */
public final class ConfigNode {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB|TiB)?");

    private final String source;
    private final String path;
    private final JsonNode node;
    private final Set<String> read = new HashSet<>();
    /** Keys that were absent and took their default (shared by the whole tree). */
    private final Set<String> defaulted;

    ConfigNode(String source, String path, JsonNode node) {
        this(source, path, node, new java.util.LinkedHashSet<>());
    }

    private ConfigNode(String source, String path, JsonNode node, Set<String> defaulted) {
        this.defaulted = defaulted;
        this.source = source;
        this.path = path;
        this.node = node == null ? MissingNode.getInstance() : node;
        if (!this.node.isMissingNode() && !this.node.isNull() && !this.node.isObject()) {
            throw fail(path, this.node, "must be a mapping of keys to values");
        }
    }

    /** The dotted path of a key in this node. */
    public String key(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /** The file or origin of the values. */
    public String source() {
        return source;
    }

    /** A nested mapping; missing means all defaults. */
    public ConfigNode section(String name) {
        return new ConfigNode(source, key(name), value(name), defaulted);
    }

    public String string(String name, String dflt) {
        JsonNode v = value(name);
        if (v == null) {
            return dflt;
        }
        if (!v.isValueNode() || v.isNull()) {
            throw fail(key(name), v, "must be a string");
        }
        return v.asText();
    }

    public boolean bool(String name, boolean dflt) {
        JsonNode v = value(name);
        if (v == null) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw fail(key(name), v, "must be true or false");
        }
        return v.booleanValue();
    }

    public int integer(String name, int dflt, int min, int max) {
        JsonNode v = value(name);
        if (v == null) {
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < min || v.intValue() > max) {
            throw fail(key(name), v, "must be a whole number from " + min + " to " + max);
        }
        return v.intValue();
    }

    /** A number with a fraction, e.g. 0.1. */
    public double decimal(String name, double dflt, double min, double max) {
        JsonNode v = value(name);
        if (v == null) {
            return dflt;
        }
        if (!v.isNumber() || !(v.doubleValue() >= min && v.doubleValue() <= max)) {
            throw fail(key(name), v, "must be a number from " + min + " to " + max);
        }
        return v.doubleValue();
    }

    /** A duration written as a number with a unit: 500ms, 30s, 5m, 1h, 1d. */
    public Duration duration(String name, Duration dflt, Duration min, Duration max) {
        JsonNode v = value(name);
        if (v == null) {
            return dflt;
        }
        Matcher m = DURATION.matcher(v.isValueNode() ? v.asText().trim() : "");
        if (!v.isTextual() || !m.matches()) {
            throw fail(key(name), v, "must be a duration like 500ms, 30s, 5m, 1h or 1d");
        }
        long n = Long.parseLong(m.group(1));
        Duration d;
        switch (m.group(2)) {
            case "ms": d = Duration.ofMillis(n); break;
            case "s": d = Duration.ofSeconds(n); break;
            case "m": d = Duration.ofMinutes(n); break;
            case "h": d = Duration.ofHours(n); break;
            default: d = Duration.ofDays(n); break;
        }
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw fail(key(name), v, "must be between " + min + " and " + max);
        }
        return d;
    }

    /** A byte size: a whole number of bytes or a number with KiB, MiB, GiB or TiB. */
    public long size(String name, long dflt, long min, long max) {
        JsonNode v = value(name);
        if (v == null) {
            return dflt;
        }
        long bytes;
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            bytes = v.longValue();
        } else {
            Matcher m = SIZE.matcher(v.isTextual() ? v.asText().trim() : "");
            if (!m.matches()) {
                throw fail(key(name), v, "must be a size like 65536, 64KiB, 256MiB or 1GiB");
            }
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "B" : m.group(2);
            int shift = List.of("B", "KiB", "MiB", "GiB", "TiB").indexOf(unit) * 10;
            if (n > (Long.MAX_VALUE >> shift)) {
                throw fail(key(name), v, "is too large");
            }
            bytes = n << shift;
        }
        if (bytes < min || bytes > max) {
            throw fail(key(name), v, "must be between " + min + " and " + max + " bytes");
        }
        return bytes;
    }

    public List<String> strings(String name, List<String> dflt) {
        JsonNode v = value(name);
        if (v == null) {
            return dflt;
        }
        if (!v.isArray()) {
            throw fail(key(name), v, "must be a list of strings");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isValueNode() || e.isNull()) {
                throw fail(key(name) + "[" + i + "]", e, "must be a string");
            }
            out.add(e.asText());
        }
        return List.copyOf(out);
    }

    /** The elements of a list of mappings. */
    public List<ConfigNode> sections(String name) {
        JsonNode v = value(name);
        if (v == null) {
            return null;
        }
        if (!v.isArray()) {
            throw fail(key(name), v, "must be a list of mappings");
        }
        List<ConfigNode> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            out.add(new ConfigNode(source, key(name) + "[" + i + "]", v.get(i), defaulted));
        }
        return out;
    }

    /**
     * True when the key is present. Unlike the getters this neither reads the key (a present key
     * must still be read, or {@link #finish()} rejects it) nor records it as defaulted, so an
     * optional alternative form (a route's {@code pool:} instead of {@code origin:}) need not appear
     * in the reference file.
     */
    public boolean has(String name) {
        JsonNode v = node.get(name);
        return v != null && !v.isMissingNode();
    }

    /** A failure naming a key of this node. */
    public ConfigException fail(String name, String value, String rule) {
        return new ConfigException(source, key(name), value, rule);
    }

    /** Rejects every key that no getter asked for (a misspelt key must not be silently ignored). */
    public void finish() {
        if (!node.isObject()) {
            return;
        }
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (!read.contains(n)) {
                throw new ConfigException(source, key(n), render(node.get(n)), "unknown key");
            }
        }
    }

    private JsonNode value(String name) {
        read.add(name);
        JsonNode v = node.get(name);
        if (v == null || v.isMissingNode()) {
            defaulted.add(key(name));
            return null;
        }
        return v;
    }

    /** Keys of the whole tree that were absent and took their defaults (sections included). */
    Set<String> defaulted() {
        return defaulted;
    }

    private ConfigException fail(String fullKey, JsonNode v, String rule) {
        return new ConfigException(source, fullKey, render(v), rule);
    }

    private static String render(JsonNode v) {
        if (v == null) {
            return null;
        }
        String s = v.isValueNode() ? v.asText() : v.toString();
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

}
