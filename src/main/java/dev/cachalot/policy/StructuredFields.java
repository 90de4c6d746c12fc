package dev.cachalot.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A small RFC 8941 (Structured Field Values) toolkit: serialising lists of items with parameters
 * (for Cache-Status, RFC 9211) and parsing dictionaries (for targeted cache-control fields, RFC
 * 9213). Bare items are {@link Long} (integer), {@link java.math.BigDecimal} (decimal),
 * {@link String} (sf-string), {@link Token}, {@link Boolean} and {@code byte[]}.
 */
public final class StructuredFields {
    private StructuredFields() {}

    /** An sf-token (RFC 8941 §3.3.4), kept apart from strings so serialisation knows which to emit. */
    public record Token(String value) {
        public Token {
            if (!isToken(value)) {
                throw new IllegalArgumentException("not an sf-token: " + value);
            }
        }

        @Override
        public String toString() {
            return value;
        }
    }

    /** One list member: a bare item with ordered parameters (RFC 8941 §3.1.2). */
    public record Item(Object value, Map<String, Object> params) {
        public Item {
            params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
        }
    }

    /** Serialises a list of items (RFC 8941 §4.1.1); throws IllegalArgumentException on unserialisable values. */
    public static String serializeList(List<Item> items) {
        StringBuilder sb = new StringBuilder();
        for (Item it : items) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            serializeItem(it, sb);
        }
        return sb.toString();
    }

    /** Serialises one item with its parameters (RFC 8941 §4.1.3). */
    public static void serializeItem(Item item, StringBuilder sb) {
        serializeBare(item.value(), sb);
        for (Map.Entry<String, Object> p : item.params().entrySet()) {
            if (!isKey(p.getKey())) {
                throw new IllegalArgumentException("not an sf-key: " + p.getKey());
            }
            sb.append(';').append(p.getKey());
            if (!Boolean.TRUE.equals(p.getValue())) {
                sb.append('=');
                serializeBare(p.getValue(), sb);
            }
        }
    }

    /** Serialises a bare item (RFC 8941 §4.1.3.1). */
    public static void serializeBare(Object v, StringBuilder sb) {
        if (v instanceof Long || v instanceof Integer) {
            long l = ((Number) v).longValue();
            if (Math.abs(l) > 999_999_999_999_999L) {
                throw new IllegalArgumentException("sf-integer out of range: " + l);
            }
            sb.append(l);
        } else if (v instanceof Boolean) {
            sb.append(((Boolean) v) ? "?1" : "?0");
        } else if (v instanceof Token) {
            sb.append(((Token) v).value());
        } else if (v instanceof String) {
            String s = (String) v;
            sb.append('"');
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c < 0x20 || c > 0x7e) {
                    throw new IllegalArgumentException("sf-string allows only printable ASCII");
                }
                if (c == '"' || c == '\\') {
                    sb.append('\\');
                }
                sb.append(c);
            }
            sb.append('"');
        } else if (v instanceof byte[]) {
            sb.append(':').append(java.util.Base64.getEncoder().encodeToString((byte[]) v)).append(':');
        } else if (v instanceof java.math.BigDecimal) {
            java.math.BigDecimal d = ((java.math.BigDecimal) v).setScale(3, java.math.RoundingMode.HALF_EVEN)
                    .stripTrailingZeros();
            String s = d.toPlainString();
            sb.append(s.contains(".") ? s : s + ".0");
        } else {
            throw new IllegalArgumentException("unsupported sf bare item: " + v);
        }
    }

    /** Replaces characters an sf-string cannot carry (non-printable, non-ASCII) with '?'. */
    public static String printable(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c < 0x20 || c > 0x7e ? '?' : c);
        }
        return sb.toString();
    }

    /** True when the text is an sf-token: (ALPHA / "*") *( tchar / ":" / "/" ) (RFC 8941 §3.3.4). */
    public static boolean isToken(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        char c0 = s.charAt(0);
        if (!(isAlpha(c0) || c0 == '*')) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(isTchar(c) || c == ':' || c == '/')) {
                return false;
            }
        }
        return true;
    }

    /** True when the text is an sf-key: ( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" ). */
    public static boolean isKey(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        char c0 = s.charAt(0);
        if (!((c0 >= 'a' && c0 <= 'z') || c0 == '*')) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' || c == '*')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isTchar(char c) {
        return isAlpha(c) || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    /**
     * Parses a Dictionary (RFC 8941 §4.2.2) from the combined field value. Member values are bare
     * items (inner lists become a {@link List} of bare items); parameters are parsed and dropped.
     * Any syntax error yields empty, as RFC 8941 §4.2 requires the whole field to fail.
     */
    public static Optional<Map<String, Object>> parseDictionary(String input) {
        try {
            Cursor c = new Cursor(input);
            Map<String, Object> out = new LinkedHashMap<>();
            c.skipSp();
            while (!c.end()) {
                String key = c.key();
                Object value;
                if (c.peek('=')) {
                    c.pos++;
                    value = c.peek('(') ? c.innerList() : c.bareItem();
                } else {
                    value = Boolean.TRUE;
                }
                c.params();
                out.put(key, value); // RFC 8941 §4.2.2: a later duplicate key overwrites the value
                c.skipOws();
                if (c.end()) {
                    return Optional.of(out);
                }
                c.expect(',');
                c.skipOws();
                if (c.end()) {
                    throw new IllegalArgumentException("trailing comma");
                }
            }
            return Optional.of(out);
        } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            return Optional.empty();
        }
    }

    /** A position in the input being parsed. */
    private static final class Cursor {
        final String s;
        int pos;

        Cursor(String s) {
            this.s = s;
        }

        boolean end() {
            return pos >= s.length();
        }

        boolean peek(char c) {
            return pos < s.length() && s.charAt(pos) == c;
        }

        void expect(char c) {
            if (!peek(c)) {
                throw new IllegalArgumentException("expected " + c + " at " + pos);
            }
            pos++;
        }

        void skipSp() {
            while (peek(' ')) {
                pos++;
            }
        }

        void skipOws() {
            while (peek(' ') || peek('\t')) {
                pos++;
            }
        }

        String key() {
            int start = pos;
            if (end()) {
                throw new IllegalArgumentException("key expected");
            }
            char c0 = s.charAt(pos);
            if (!((c0 >= 'a' && c0 <= 'z') || c0 == '*')) {
                throw new IllegalArgumentException("bad key start");
            }
            pos++;
            while (!end()) {
                char c = s.charAt(pos);
                if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' || c == '*') {
                    pos++;
                } else {
                    break;
                }
            }
            return s.substring(start, pos);
        }

        void params() {
            while (peek(';')) {
                pos++;
                skipSp();
                key();
                if (peek('=')) {
                    pos++;
                    bareItem();
                }
            }
        }

        List<Object> innerList() {
            expect('(');
            List<Object> items = new ArrayList<>();
            while (!end()) {
                skipSp();
                if (peek(')')) {
                    pos++;
                    params();
                    return items;
                }
                items.add(bareItem());
                params();
                if (!peek(' ') && !peek(')')) {
                    throw new IllegalArgumentException("bad inner list");
                }
            }
            throw new IllegalArgumentException("unterminated inner list");
        }

        Object bareItem() {
            if (end()) {
                throw new IllegalArgumentException("item expected");
            }
            char c = s.charAt(pos);
            if (c == '-' || (c >= '0' && c <= '9')) {
                return number();
            }
            if (c == '"') {
                return string();
            }
            if (c == ':') {
                int close = s.indexOf(':', pos + 1);
                if (close < 0) {
                    throw new IllegalArgumentException("unterminated byte sequence");
                }
                byte[] b = java.util.Base64.getDecoder().decode(s.substring(pos + 1, close));
                pos = close + 1;
                return b;
            }
            if (c == '?') {
                pos++;
                if (peek('1')) {
                    pos++;
                    return Boolean.TRUE;
                }
                expect('0');
                return Boolean.FALSE;
            }
            if (isAlpha(c) || c == '*') {
                int start = pos++;
                while (!end() && (isTchar(s.charAt(pos)) || s.charAt(pos) == ':' || s.charAt(pos) == '/')) {
                    pos++;
                }
                return new Token(s.substring(start, pos));
            }
            throw new IllegalArgumentException("bad item at " + pos);
        }

        Object number() {
            int start = pos;
            if (peek('-')) {
                pos++;
            }
            int digitsStart = pos;
            boolean decimal = false;
            while (!end()) {
                char c = s.charAt(pos);
                if (c >= '0' && c <= '9') {
                    pos++;
                } else if (c == '.' && !decimal) {
                    decimal = true;
                    pos++;
                } else {
                    break;
                }
            }
            String num = s.substring(start, pos);
            int digits = pos - digitsStart - (decimal ? 1 : 0);
            if (digits == 0 || (!decimal && digits > 15) || (decimal && (digits > 15 || num.endsWith(".")))) {
                throw new IllegalArgumentException("bad number");
            }
            if (decimal) {
                int frac = pos - num.indexOf('.') - start - 1;
                if (frac > 3 || num.indexOf('.') - (num.startsWith("-") ? 1 : 0) > 12) {
                    throw new IllegalArgumentException("bad decimal");
                }
                return new java.math.BigDecimal(num);
            }
            return Long.parseLong(num);
        }

        String string() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (!end()) {
                char c = s.charAt(pos++);
                if (c == '\\') {
                    char n = s.charAt(pos++);
                    if (n != '"' && n != '\\') {
                        throw new IllegalArgumentException("bad escape");
                    }
                    sb.append(n);
                } else if (c == '"') {
                    return sb.toString();
                } else if (c < 0x20 || c > 0x7e) {
                    throw new IllegalArgumentException("bad string char");
                } else {
                    sb.append(c);
                }
            }
            throw new IllegalArgumentException("unterminated string");
        }
    }
}
