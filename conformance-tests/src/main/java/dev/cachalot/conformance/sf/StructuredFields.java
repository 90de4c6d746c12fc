package dev.cachalot.conformance.sf;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict parser for Structured Field Lists (RFC 8941 §4.2.1), used to validate Cache-Status (RFC 9211 §2)
 * and CDN-Cache-Control (RFC 9213 §2.1 is a Dictionary, parsed by {@link #parseDictionary}).
 */
public final class StructuredFields {
    private final String in;
    private int pos;

    private StructuredFields(String in) {
        this.in = in;
    }

    /** A token (RFC 8941 §3.3.4), kept apart from strings. */
    public record Token(String value) {
    }

    /** A byte sequence (RFC 8941 §3.3.5). */
    public record Bytes(byte[] value) {
    }

    /** An item or inner list with its parameters; {@code value} is a List of Members for an inner list. */
    public record Member(Object value, Map<String, Object> params) {
        /** The item's value as a token string, or null if it is not a token. */
        public String token() {
            return value instanceof Token t ? t.value() : null;
        }
    }

    /** Parses a List field value; throws {@link IllegalArgumentException} with the position on any error. */
    public static List<Member> parseList(String value) {
        StructuredFields p = new StructuredFields(value);
        p.skipSp();
        List<Member> out = new ArrayList<>();
        while (!p.eof()) {
            out.add(p.member());
            p.skipOws();
            if (p.eof()) {
                return out;
            }
            p.expect(',');
            p.skipOws();
            if (p.eof()) {
                throw p.error("trailing comma");
            }
        }
        return out;
    }

    /** Parses a Dictionary field value (RFC 8941 §4.2.2). */
    public static Map<String, Member> parseDictionary(String value) {
        StructuredFields p = new StructuredFields(value);
        p.skipSp();
        Map<String, Member> out = new LinkedHashMap<>();
        while (!p.eof()) {
            String key = p.key();
            Member m;
            if (p.peek() == '=') {
                p.pos++;
                m = p.member();
            } else {
                m = new Member(Boolean.TRUE, p.params());
            }
            out.put(key, m);
            p.skipOws();
            if (p.eof()) {
                return out;
            }
            p.expect(',');
            p.skipOws();
            if (p.eof()) {
                throw p.error("trailing comma");
            }
        }
        return out;
    }

    private Member member() {
        if (peek() == '(') {
            pos++;
            List<Member> items = new ArrayList<>();
            while (true) {
                skipSp();
                if (peek() == ')') {
                    pos++;
                    return new Member(items, params());
                }
                items.add(new Member(bare(), params()));
                char c = peek();
                if (c != ' ' && c != ')') {
                    throw error("expected space or ')' in inner list");
                }
            }
        }
        return new Member(bare(), params());
    }

    private Map<String, Object> params() {
        Map<String, Object> out = new LinkedHashMap<>();
        while (peek() == ';') {
            pos++;
            skipSp();
            String k = key();
            Object v = Boolean.TRUE;
            if (peek() == '=') {
                pos++;
                v = bare();
            }
            out.put(k, v);
        }
        return out;
    }

    private String key() {
        char c = peek();
        if (!(c >= 'a' && c <= 'z') && c != '*') {
            throw error("key must start with a lowercase letter or '*'");
        }
        int s = pos;
        while (!eof()) {
            c = in.charAt(pos);
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' || c == '*') {
                pos++;
            } else {
                break;
            }
        }
        return in.substring(s, pos);
    }

    private Object bare() {
        char c = peek();
        if (c == '-' || (c >= '0' && c <= '9')) {
            return number();
        }
        if (c == '"') {
            return string();
        }
        if (c == ':') {
            return bytes();
        }
        if (c == '?') {
            pos++;
            char b = peek();
            if (b == '1' || b == '0') {
                pos++;
                return b == '1';
            }
            throw error("boolean must be ?0 or ?1");
        }
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '*') {
            int s = pos++;
            while (!eof() && isTokenChar(in.charAt(pos))) {
                pos++;
            }
            return new Token(in.substring(s, pos));
        }
        throw error("unexpected character");
    }

    private static boolean isTokenChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "!#$%&'*+-.^_`|~:/".indexOf(c) >= 0;
    }

    private Object number() {
        int s = pos;
        if (peek() == '-') {
            pos++;
        }
        int digits = 0;
        int dot = -1;
        while (!eof()) {
            char c = in.charAt(pos);
            if (c >= '0' && c <= '9') {
                digits++;
                pos++;
            } else if (c == '.' && dot < 0) {
                dot = pos;
                pos++;
            } else {
                break;
            }
        }
        String t = in.substring(s, pos);
        if (digits == 0) {
            throw error("number without digits");
        }
        if (dot < 0) {
            if (digits > 15) {
                throw error("integer longer than 15 digits");
            }
            return Long.parseLong(t);
        }
        int intDigits = dot - s - (t.startsWith("-") ? 1 : 0);
        int fracDigits = pos - dot - 1;
        if (intDigits > 12 || fracDigits < 1 || fracDigits > 3) {
            throw error("decimal out of range");
        }
        return new BigDecimal(t);
    }

    private String string() {
        pos++;
        StringBuilder sb = new StringBuilder();
        while (!eof()) {
            char c = in.charAt(pos++);
            if (c == '\\') {
                if (eof()) {
                    break;
                }
                char n = in.charAt(pos++);
                if (n != '"' && n != '\\') {
                    throw error("bad escape in string");
                }
                sb.append(n);
            } else if (c == '"') {
                return sb.toString();
            } else if (c < 0x20 || c > 0x7e) {
                throw error("invalid character in string");
            } else {
                sb.append(c);
            }
        }
        throw error("unterminated string");
    }

    private Bytes bytes() {
        pos++;
        int s = pos;
        while (!eof() && in.charAt(pos) != ':') {
            pos++;
        }
        if (eof()) {
            throw error("unterminated byte sequence");
        }
        String b64 = in.substring(s, pos++);
        try {
            return new Bytes(Base64.getDecoder().decode(b64));
        } catch (IllegalArgumentException e) {
            throw error("bad base64");
        }
    }

    private void skipSp() {
        while (!eof() && in.charAt(pos) == ' ') {
            pos++;
        }
    }

    private void skipOws() {
        while (!eof() && (in.charAt(pos) == ' ' || in.charAt(pos) == '\t')) {
            pos++;
        }
    }

    private void expect(char c) {
        if (peek() != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private char peek() {
        return eof() ? '\0' : in.charAt(pos);
    }

    private boolean eof() {
        return pos >= in.length();
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException(what + " at position " + pos + " in \"" + in + "\"");
    }
}
