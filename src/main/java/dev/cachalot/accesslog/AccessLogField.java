package dev.cachalot.accesslog;

import dev.cachalot.metrics.ExchangeRecord;

/**
 * The placeholders an access log pattern may name, as {@code %{name}}. Each appends one value of an
 * {@link ExchangeRecord} in text form (strings escaped, "-" when empty) or JSON form.
 */
enum AccessLogField {
    /** Arrival time, ISO-8601 UTC with milliseconds: 2026-11-25T17:05:35.123Z. */
    TIME("time", Kind.STRING),
    /** Arrival time in Common Log Format: 25/Nov/2026:17:05:35 +0000. */
    TIME_CLF("timeClf", Kind.STRING),
    /** The true client address. */
    CLIENT("client", Kind.STRING),
    METHOD("method", Kind.STRING),
    /** The request target as received. */
    TARGET("target", Kind.STRING),
    /** The Host / authority the request named. */
    HOST("host", Kind.STRING),
    PROTOCOL("protocol", Kind.STRING),
    /** Status sent to the client; 0 when the connection broke first. */
    STATUS("status", Kind.NUMBER),
    BYTES_IN("bytesIn", Kind.NUMBER),
    BYTES_OUT("bytesOut", Kind.NUMBER),
    /** Arrival to end of response, milliseconds with microsecond decimals. */
    DURATION_MS("durationMs", Kind.NUMBER),
    /** Arrival to end of response, whole microseconds. */
    DURATION_US("durationUs", Kind.NUMBER),
    /** Time waiting on the origin, milliseconds; "-" (JSON null) when the origin was not contacted. */
    ORIGIN_MS("originMs", Kind.NUMBER),
    /** The cache outcome word (HIT, MISS, ...): the same word as the metrics and Cache-Status. */
    OUTCOME("outcome", Kind.STRING),
    ROUTE("route", Kind.STRING),
    REQUEST_ID("requestId", Kind.STRING);

    enum Kind { STRING, NUMBER }

    final String placeholder;
    final Kind kind;

    AccessLogField(String placeholder, Kind kind) {
        this.placeholder = placeholder;
        this.kind = kind;
    }

    /** The field named {@code name} (case-sensitive), or null. */
    static AccessLogField byName(String name) {
        for (AccessLogField f : values()) {
            if (f.placeholder.equals(name)) {
                return f;
            }
        }
        return null;
    }

    static String names() {
        StringBuilder sb = new StringBuilder();
        for (AccessLogField f : values()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(f.placeholder);
        }
        return sb.toString();
    }

    /** Appends the value as plain text: escaped strings, "-" for empty or absent values. */
    void appendText(ExchangeRecord r, StringBuilder sb) {
        switch (this) {
            case TIME -> TimeText.appendIso(r.start(), sb);
            case TIME_CLF -> TimeText.appendClf(r.start(), sb);
            case STATUS -> sb.append(r.status());
            case BYTES_IN -> sb.append(r.bytesIn());
            case BYTES_OUT -> sb.append(r.bytesOut());
            case DURATION_MS -> appendMillis(r.durationNanos(), sb);
            case DURATION_US -> sb.append(Math.max(0, r.durationNanos()) / 1000);
            case ORIGIN_MS -> {
                if (r.originNanos() < 0) {
                    sb.append('-');
                } else {
                    appendMillis(r.originNanos(), sb);
                }
            }
            default -> appendEscaped(string(r), sb);
        }
    }

    /** Appends the value as a JSON value: quoted string, number, or null. */
    void appendJson(ExchangeRecord r, StringBuilder sb) {
        switch (this) {
            case TIME, TIME_CLF -> {
                sb.append('"');
                appendText(r, sb);
                sb.append('"');
            }
            case ORIGIN_MS -> {
                if (r.originNanos() < 0) {
                    sb.append("null");
                } else {
                    appendMillis(r.originNanos(), sb);
                }
            }
            default -> {
                if (kind == Kind.NUMBER) {
                    appendText(r, sb);
                } else {
                    appendJsonString(string(r), sb);
                }
            }
        }
    }

    private String string(ExchangeRecord r) {
        return switch (this) {
            case CLIENT -> r.client();
            case METHOD -> r.method();
            case TARGET -> r.target();
            case HOST -> r.host();
            case PROTOCOL -> r.protocol();
            case OUTCOME -> r.outcome();
            case ROUTE -> r.route();
            case REQUEST_ID -> r.requestId();
            default -> throw new IllegalStateException(name() + " is not a string field");
        };
    }

    /** Milliseconds with three decimals, without formatting objects: 1234567 ns -> 1.234. */
    static void appendMillis(long nanos, StringBuilder sb) {
        long micros = Math.max(0, nanos) / 1000;
        sb.append(micros / 1000).append('.');
        long frac = micros % 1000;
        if (frac < 100) {
            sb.append('0');
        }
        if (frac < 10) {
            sb.append('0');
        }
        sb.append(frac);
    }

    /**
     * Text escaping: control characters, DEL, '"' and '\' become \xHH (as nginx does), so a hostile
     * target can neither break the line nor forge a field; null or empty becomes "-".
     */
    static void appendEscaped(String s, StringBuilder sb) {
        if (s == null || s.isEmpty()) {
            sb.append('-');
            return;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
                sb.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
            } else {
                sb.append(c);
            }
        }
    }

    /** A JSON string literal (RFC 8259 §7); null becomes JSON null. */
    static void appendJsonString(String s, StringBuilder sb) {
        if (s == null) {
            sb.append("null");
            return;
        }
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();
}
