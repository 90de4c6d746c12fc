package dev.cachalot.server;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.RequestHead;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A request the hit shortcut may answer, parsed from the raw bytes of one complete request head
 * that the {@link FramingScanner} has already validated, or the reason it may not ({@link #parse}
 * returns null, and Undertow gets the request as always).
 *
 * <p>Only a deliberately small, unsurprising shape qualifies: {@code GET} or {@code HEAD}, an
 * origin-form target of plain characters, {@code HTTP/1.1}, and header fields all from
 * {@link #SAFE}, each at most once, with plain visible-ASCII values. Why these fields: the shortcut
 * hands the request to the pipeline's own fast path ({@code RequestProcessor.tryAnswerNow}), so the
 * cache decision (key, Vary, freshness, purge bans, request rules) is computed by the same code as
 * on the Undertow path; the safe set only has to guarantee that (a) this parser and Undertow's
 * produce the same request head for the fields that reach the pipeline, and (b) nothing in the
 * request asks for more than "the stored response, as it is, on this persistent connection". So
 * everything with request-specific semantics takes the normal path, where the full machinery
 * answers it:
 * <ul>
 *   <li>request directives and validators: {@code Cache-Control}, {@code Pragma} (RFC 9111 §5.2.1,
 *       §5.4), {@code If-*} (RFC 9110 §13: 304/412 answers), {@code Range}/{@code If-Range} (206);</li>
 *   <li>credentials and state: {@code Authorization} (RFC 9111 §3.5), {@code Cookie} (Undertow
 *       merges several Cookie lines; per-user traffic is not what the shortcut is for);</li>
 *   <li>anything about the message or the connection: {@code Content-Length},
 *       {@code Transfer-Encoding}, {@code Expect}, {@code Upgrade}, {@code TE}, {@code Keep-Alive},
 *       a {@code Connection} other than {@code keep-alive} (close needs Undertow's close), HTTP/1.0;</li>
 *   <li>the forwarding chain ({@code Forwarded}, {@code X-Forwarded-*}, {@code Via},
 *       {@code Max-Forwards}): they change the client address, loop checks or the answer;</li>
 *   <li>any other field: unknown fields might matter to some rule one day; the list is short on
 *       purpose and covers what browsers and load tools send on a plain GET.</li>
 * </ul>
 * Fields in the safe set may still be named by a stored response's {@code Vary}
 * (Accept-Encoding typically): the pipeline selects the variant from them exactly as on the
 * normal path (RFC 9111 §4.1).
 *
 * @param head    the request head as FrontHandler would build it (scheme {@code http})
 * @param host    the Host value
 * @param isHead  the method is HEAD
 */
record ShortcutRequest(RequestHead head, String host, boolean isHead) {
    /** The header fields a shortcut request may carry (names as Undertow's constants spell them). */
    static final String[] SAFE = {
        "Host", "User-Agent", "Accept", "Accept-Encoding", "Accept-Language", "Accept-Charset", "Referer",
        "Origin", "Connection", "DNT", "Upgrade-Insecure-Requests", "Sec-Fetch-Site", "Sec-Fetch-Mode",
        "Sec-Fetch-Dest", "Sec-Fetch-User", "Priority",
    };
    private static final int HOST = 0;
    private static final int CONNECTION = 8;

    /** Characters allowed in the target: unreserved, sub-delims except ';', ':', '@', '/', '?'. */
    private static final boolean[] TARGET = new boolean[128];

    static {
        for (char c = '0'; c <= '9'; c++) {
            TARGET[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TARGET[c] = true;
            TARGET[c - 32] = true;
        }
        // No '%' (Undertow's URL handling of escapes is not reproduced here), no ';' (path parameters).
        for (char c : "-._~!$&'()*+,=:@/?".toCharArray()) {
            TARGET[c] = true;
        }
    }

    /**
     * Parses {@code buf[from, to)}, which holds exactly one complete request head (request line,
     * fields, empty line) that passed the framing rules.
     *
     * @return the request, or null when the shortcut must leave it to Undertow
     */
    static ShortcutRequest parse(ByteBuffer buf, int from, int to) {
        int i = from;
        boolean isHead;
        if (startsWith(buf, i, to, "GET ")) {
            isHead = false;
            i += 4;
        } else if (startsWith(buf, i, to, "HEAD ")) {
            isHead = true;
            i += 5;
        } else {
            return null;
        }
        int targetStart = i;
        if (i >= to || buf.get(i) != '/') {
            return null; // origin-form only (absolute-form and '*' take the normal path)
        }
        int query = -1;
        while (i < to) {
            int b = buf.get(i) & 0xFF;
            if (b == ' ') {
                break;
            }
            if (b >= 128 || !TARGET[b]) {
                return null;
            }
            if (b == '?' && query < 0) {
                query = i;
            }
            i++;
        }
        int targetEnd = i;
        if (!startsWith(buf, i, to, " HTTP/1.1\r\n")) {
            return null;
        }
        i += 11;
        // As FrontHandler.target: an empty query string ("/a?") is dropped.
        int keepEnd = query == targetEnd - 1 ? query : targetEnd;
        String target = ascii(buf, targetStart, keepEnd);
        HeaderFields.Builder fields = HeaderFields.builder();
        int seen = 0;
        String host = null;
        while (true) {
            if (i + 1 < to && buf.get(i) == '\r' && buf.get(i + 1) == '\n') {
                i += 2;
                break;
            }
            int nameStart = i;
            while (i < to && buf.get(i) != ':') {
                i++;
            }
            if (i >= to) {
                return null;
            }
            int field = safeField(buf, nameStart, i);
            if (field < 0 || (seen & (1 << field)) != 0) {
                return null; // not in the safe set, or repeated
            }
            seen |= 1 << field;
            i++;
            int lineEnd = i;
            while (lineEnd < to && buf.get(lineEnd) != '\r') {
                lineEnd++;
            }
            if (lineEnd + 1 >= to) {
                return null;
            }
            int vs = i;
            int ve = lineEnd;
            while (vs < ve && (buf.get(vs) == ' ' || buf.get(vs) == '\t')) {
                vs++;
            }
            while (ve > vs && (buf.get(ve - 1) == ' ' || buf.get(ve - 1) == '\t')) {
                ve--;
            }
            if (vs == ve || ve != lineEnd) {
                return null; // empty, or trailing whitespace (whose trimming is Undertow's business)
            }
            for (int k = vs; k < ve; k++) {
                int b = buf.get(k) & 0xFF;
                if (b >= 0x7F || (b < 0x20 && b != '\t')) {
                    return null; // obs-text and controls: leave the decoding to Undertow
                }
            }
            String value = ascii(buf, vs, ve);
            if (field == HOST) {
                if (!plainHost(value)) {
                    return null;
                }
                host = value;
            } else if (field == CONNECTION && !value.equalsIgnoreCase("keep-alive")) {
                return null;
            }
            fields.add(SAFE[field], value);
            i = lineEnd + 2;
        }
        if (host == null || i != to) {
            return null;
        }
        RequestHead head = new RequestHead(isHead ? "HEAD" : "GET", "http", host, target, "HTTP/1.1", fields.build());
        return new ShortcutRequest(head, host, isHead);
    }

    /** Index of the field name {@code buf[from, to)} in {@link #SAFE} (ASCII case-insensitive), or -1. */
    private static int safeField(ByteBuffer buf, int from, int to) {
        int len = to - from;
        for (int f = 0; f < SAFE.length; f++) {
            String s = SAFE[f];
            if (s.length() != len) {
                continue;
            }
            boolean eq = true;
            for (int k = 0; k < len && eq; k++) {
                int a = buf.get(from + k) & 0xFF;
                int b = s.charAt(k);
                eq = a == b || (a | 0x20) == (b | 0x20) && (b | 0x20) >= 'a' && (b | 0x20) <= 'z';
            }
            if (eq) {
                return f;
            }
        }
        return -1;
    }

    /**
     * A Host both Undertow's HostHeaderHandler and the virtual-host table take as they are:
     * reg-name characters without escapes, optional port 1..65535 (IP literals take the normal path).
     */
    static boolean plainHost(String h) {
        int colon = h.indexOf(':');
        int end = colon < 0 ? h.length() : colon;
        if (end == 0) {
            return false;
        }
        for (int k = 0; k < end; k++) {
            char c = h.charAt(k);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~')) {
                return false;
            }
        }
        if (colon < 0) {
            return true;
        }
        String port = h.substring(colon + 1);
        if (port.isEmpty() || port.length() > 5) {
            return false;
        }
        int p = 0;
        for (int k = 0; k < port.length(); k++) {
            char c = port.charAt(k);
            if (c < '0' || c > '9') {
                return false;
            }
            p = p * 10 + (c - '0');
        }
        return p >= 1 && p <= 65535;
    }

    private static boolean startsWith(ByteBuffer buf, int at, int to, String s) {
        if (to - at < s.length()) {
            return false;
        }
        for (int k = 0; k < s.length(); k++) {
            if (buf.get(at + k) != s.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static String ascii(ByteBuffer buf, int from, int to) {
        byte[] b = new byte[to - from];
        buf.get(from, b);
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
