package dev.cachalot.accesslog;

import dev.cachalot.metrics.ExchangeRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * A compiled access log line format: a pattern of literal text and {@code %{name}} placeholders
 * ({@code %%} is a literal percent sign), parsed once into segments so formatting a record is a
 * walk over an array with no parsing or regex. Construction rejects unknown placeholders, naming them.
 */
public final class AccessLogFormat {
    /** A Common/Combined-Log-like line with the cache's own fields appended. */
    public static final String COMBINED = "%{client} - - [%{timeClf}] \"%{method} %{target} %{protocol}\" "
            + "%{status} %{bytesOut} %{durationMs} %{originMs} %{outcome} %{route} %{requestId}";

    /** A literal or a field; exactly one of the two is set. */
    private record Segment(String literal, AccessLogField field) {}

    private final String spec;
    private final Segment[] segments;
    private final boolean json;

    private AccessLogFormat(String spec, Segment[] segments, boolean json) {
        this.spec = spec;
        this.segments = segments;
        this.json = json;
    }

    /**
     * The format named by a configuration value: {@code combined} (the default when null or blank),
     * {@code json} (one JSON object per line with every field), or a pattern.
     *
     * @throws IllegalArgumentException naming the bad placeholder or syntax
     */
    public static AccessLogFormat of(String spec) {
        if (spec == null || spec.isBlank() || spec.equals("combined")) {
            return compile(COMBINED);
        }
        if (spec.equals("json")) {
            return json();
        }
        return compile(spec);
    }

    /** One JSON object per line with every field, in declaration order. */
    public static AccessLogFormat json() {
        List<Segment> segs = new ArrayList<>();
        String sep = "{";
        for (AccessLogField f : AccessLogField.values()) {
            segs.add(new Segment(sep + "\"" + f.placeholder + "\":", null));
            segs.add(new Segment(null, f));
            sep = ",";
        }
        segs.add(new Segment("}", null));
        return new AccessLogFormat("json", segs.toArray(Segment[]::new), true);
    }

    /**
     * Compiles a pattern such as {@code %{client} "%{method} %{target}" %{status}}.
     *
     * @throws IllegalArgumentException for an unknown placeholder (named in the message), an
     *                                  unclosed {@code %{}, or a {@code %} not followed by {@code {} or {@code %}
     */
    public static AccessLogFormat compile(String pattern) {
        if (pattern == null) {
            throw new IllegalArgumentException("access log pattern is null");
        }
        List<Segment> segs = new ArrayList<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < pattern.length()) {
            char c = pattern.charAt(i);
            if (c != '%') {
                literal.append(c);
                i++;
                continue;
            }
            if (i + 1 < pattern.length() && pattern.charAt(i + 1) == '%') {
                literal.append('%');
                i += 2;
                continue;
            }
            if (i + 1 >= pattern.length() || pattern.charAt(i + 1) != '{') {
                throw new IllegalArgumentException("access log pattern: '%' at index " + i
                        + " must start a %{name} placeholder or be written %%: " + pattern);
            }
            int close = pattern.indexOf('}', i + 2);
            if (close < 0) {
                throw new IllegalArgumentException("access log pattern: unclosed %{ at index " + i + ": " + pattern);
            }
            String name = pattern.substring(i + 2, close);
            AccessLogField field = AccessLogField.byName(name);
            if (field == null) {
                throw new IllegalArgumentException("access log pattern: unknown placeholder %{" + name
                        + "}; known: " + AccessLogField.names());
            }
            if (literal.length() > 0) {
                segs.add(new Segment(literal.toString(), null));
                literal.setLength(0);
            }
            segs.add(new Segment(null, field));
            i = close + 1;
        }
        if (literal.length() > 0) {
            segs.add(new Segment(literal.toString(), null));
        }
        return new AccessLogFormat(pattern, segs.toArray(Segment[]::new), false);
    }

    /** Appends the line for {@code r} (without a line terminator). */
    public void formatTo(ExchangeRecord r, StringBuilder sb) {
        for (Segment s : segments) {
            if (s.literal != null) {
                sb.append(s.literal);
            } else if (json) {
                s.field.appendJson(r, sb);
            } else {
                s.field.appendText(r, sb);
            }
        }
    }

    /** The line for {@code r}. */
    public String format(ExchangeRecord r) {
        StringBuilder sb = new StringBuilder(256);
        formatTo(r, sb);
        return sb.toString();
    }

    /** The pattern (or "json") this format was built from. */
    public String spec() {
        return spec;
    }

    @Override
    public String toString() {
        return "AccessLogFormat[" + spec + "]";
    }
}
