package dev.cachalot.server;

import java.nio.ByteBuffer;

/**
 * A strict HTTP/1.x request framing checker that reads the raw bytes of a connection before
 * Undertow's parser does (RFC 9112 §2-§7, RFC 9110 §5.5). It follows every request head and body
 * (Content-Length or chunked) in constant memory, so it knows where each message starts, and stops
 * at the first byte that breaks a rule. Undertow's own parser is lenient or destroys the evidence
 * for several rules (obs-fold, whitespace before the colon, bare CR, duplicate Content-Length), so
 * this is the single place the rules live. Not thread-safe: one per connection, used by its I/O
 * thread.
 */
public final class FramingScanner {
    /**
     * The limits and switches the scanner enforces.
     *
     * @param maxRequestLine     longest request line in bytes (without CRLF)
     * @param maxHeaderBytes     longest header section in bytes (request line included)
     * @param maxHeaderCount     most field lines
     * @param maxBodyBytes       largest request body, 0 for no limit
     * @param allowBodyOnGetHead accept a body on GET and HEAD
     * @param connectTunnels     a forward-proxy listener: after a valid CONNECT head every later byte
     *                           on the connection is tunnel data, passed through unscanned (the handler
     *                           either opens the tunnel or closes the connection); the listener's
     *                           conduit also replaces the Host of absolute-form requests
     *                           ({@link HostRewriter})
     */
    public record Rules(int maxRequestLine, int maxHeaderBytes, int maxHeaderCount, long maxBodyBytes,
                        boolean allowBodyOnGetHead, boolean connectTunnels) {
        /** Rules for a reverse-proxy listener (no tunnels). */
        public Rules(int maxRequestLine, int maxHeaderBytes, int maxHeaderCount, long maxBodyBytes,
                     boolean allowBodyOnGetHead) {
            this(maxRequestLine, maxHeaderBytes, maxHeaderCount, maxBodyBytes, allowBodyOnGetHead, false);
        }

        /** These rules with CONNECT tunnels on or off. */
        public Rules withConnectTunnels(boolean on) {
            return new Rules(maxRequestLine, maxHeaderBytes, maxHeaderCount, maxBodyBytes, allowBodyOnGetHead, on);
        }
    }

    private static final int START = 0, METHOD = 2, TARGET = 3, VERSION = 4, LINE_END_CR = 5,
            FIELD_START = 6, NAME = 7, VALUE = 8, VALUE_CR = 9, HEAD_END_CR = 10,
            FIXED_BODY = 11, CHUNK_SIZE = 12, CHUNK_EXT = 13, CHUNK_SIZE_CR = 14, CHUNK_DATA = 15,
            CHUNK_DATA_CR = 16, CHUNK_DATA_LF = 17, TRAILER_START = 18, TRAILER_END_CR = 19, TUNNEL = 20;

    private static final boolean[] TCHAR = new boolean[256];

    static {
        for (char c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TCHAR[c] = true;
            TCHAR[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
    }

    private final Rules rules;

    private int state = START;
    private long offset;
    private long messageStart;
    private FramingViolation violation;
    private long validHeads;
    /** Messages (head and body) that ended on this connection. */
    private long messagesEnded;

    // Per-message facts.
    private final StringBuilder method = new StringBuilder(16);
    private final StringBuilder version = new StringBuilder(8);
    private int lineBytes;
    private int headBytes;
    private int fieldCount;
    private final StringBuilder name = new StringBuilder(32);
    private int field; // 0 other, 1 Content-Length, 2 Transfer-Encoding, 3 Host
    private final StringBuilder value = new StringBuilder(64);
    private int hostCount;
    private String host;
    private int contentLengthCount;
    private String contentLength;
    private StringBuilder transferEncoding;
    private boolean inTrailer;

    // Body state.
    private long remaining;
    private long bodyBytes;
    private int chunkDigits;
    private int chunkLineBytes;

    public FramingScanner(Rules rules) {
        this.rules = rules;
    }

    /** The rule broken, or null while the stream is clean. */
    public FramingViolation violation() {
        return violation;
    }

    /** Stream offset of the first byte of the message the scanner is in (or that broke a rule). */
    public long messageStart() {
        return messageStart;
    }

    /** Bytes scanned so far on this connection. */
    public long offset() {
        return offset;
    }

    /** Request heads that passed every rule on this connection (a request after them is suspect). */
    public long validHeads() {
        return validHeads;
    }

    /**
     * Passes over {@code length} bytes known to be one complete, valid request head without a body
     * (the same bytes as a head this scanner validated on this connection before: the rules depend
     * only on a message's own bytes once the scanner is between messages), as if they had been
     * scanned. The hit shortcut's parse cache uses it for a client that repeats its request.
     */
    void skipValidatedHead(int length) {
        if (state != START || violation != null) {
            throw new IllegalStateException("not between messages");
        }
        messageStart = offset;
        offset += length;
        validHeads++;
        messagesEnded++;
    }

    /** True when the scanner is between messages (no partial request pending). */
    public boolean betweenMessages() {
        return state == START;
    }

    /** True after a CONNECT head on a tunnelling listener: the rest of the stream is opaque tunnel data. */
    public boolean tunnelling() {
        return state == TUNNEL;
    }

    /**
     * Bytes just ahead that are message content or tunnel data, which {@link #scan} passes over without
     * looking at them: the rest of a Content-Length body or of a chunk's data, unlimited in a tunnel, 0
     * anywhere else (request line, fields, chunk lines, trailers).
     */
    long opaqueBytesAhead() {
        if (state == TUNNEL) {
            return Long.MAX_VALUE;
        }
        return state == FIXED_BODY || state == CHUNK_DATA ? remaining : 0;
    }

    /** True when the next byte belongs to the request target (or is the space that ends it). */
    boolean inRequestTarget() {
        return state == TARGET;
    }

    /** True when the next byte belongs to the value of a Host field in a header section (or is the CR that ends it). */
    boolean inHostValue() {
        return state == VALUE && field == 3;
    }

    /** The method of the current (or offending) request, "" when not yet known. */
    public String method() {
        return method.toString();
    }

    /**
     * Scans {@code buf[from, to)} (absolute indexes; the buffer's position is not changed).
     *
     * @return true while every byte obeys the rules; false at the first violation (then
     *         {@link #violation()} says which and {@link #offset()} points at the offending byte)
     */
    public boolean scan(ByteBuffer buf, int from, int to) {
        return scan(buf, from, to, false) >= 0;
    }

    /**
     * Scans {@code buf[from, to)} like {@link #scan(ByteBuffer, int, int)} but stops right after the
     * first message that ends in that range (the hit shortcut answers requests one at a time).
     *
     * @return the index after the last byte scanned: the end of the message that ended, or {@code to};
     *         -1 at a violation
     */
    int scanMessage(ByteBuffer buf, int from, int to) {
        return scan(buf, from, to, true);
    }

    private int scan(ByteBuffer buf, int from, int to, boolean stopAtMessageEnd) {
        if (violation != null) {
            return -1;
        }
        if (state == TUNNEL) {
            offset += to - from;
            return to;
        }
        long ended = messagesEnded;
        int i = from;
        while (i < to) {
            if (stopAtMessageEnd && messagesEnded != ended) {
                return i;
            }
            if (state == TUNNEL) {
                offset += to - i;
                return to;
            }
            if (state == FIXED_BODY || state == CHUNK_DATA) {
                long n = Math.min(remaining, to - i);
                i += (int) n;
                offset += n;
                remaining -= n;
                if (remaining == 0) {
                    if (state == FIXED_BODY) {
                        endMessage();
                    } else {
                        state = CHUNK_DATA_CR;
                    }
                }
                continue;
            }
            if (state == VALUE && field == 0) {
                // A value the framing rules do not read: pass its plain bytes in a tight loop, up to the
                // header-size limit; the byte that ends it (or breaks a rule, or the limit) goes to step().
                int limit = (int) Math.min(to, i + (long) Math.max(0, rules.maxHeaderBytes() - headBytes));
                int j = i;
                while (j < limit) {
                    int b = buf.get(j) & 0xFF;
                    if ((b < 0x20 && b != '\t') || b == 0x7F) {
                        break;
                    }
                    j++;
                }
                headBytes += j - i;
                offset += j - i;
                i = j;
                if (i >= to) {
                    break;
                }
            } else if (state == TARGET) {
                // The request target: visible ASCII up to the space, within the request-line limit.
                int limit = (int) Math.min(to, i + (long) Math.max(0, rules.maxRequestLine() - lineBytes));
                int j = i;
                while (j < limit) {
                    int b = buf.get(j) & 0xFF;
                    if (b <= 0x20 || b >= 0x7F) {
                        break;
                    }
                    j++;
                }
                lineBytes += j - i;
                offset += j - i;
                i = j;
                if (i >= to) {
                    break;
                }
            }
            FramingViolation v = step(buf.get(i) & 0xFF);
            if (v != null) {
                violation = v;
                return -1;
            }
            i++;
            offset++;
        }
        return to;
    }

    private FramingViolation step(int b) {
        switch (state) {
            case START:
                messageStart = offset;
                if (b == '\r' || b == '\n') {
                    // RFC 9112 §2.2 says a server SHOULD ignore empty lines here; Undertow's parser
                    // refuses them, so they are refused here too, with a clear answer.
                    return FramingViolation.EMPTY_LINE_BEFORE_REQUEST;
                }
                resetMessage();
                state = METHOD;
                return method(b);
            case METHOD:
                return method(b);
            case TARGET:
                if (++lineBytes > rules.maxRequestLine()) {
                    return FramingViolation.REQUEST_LINE_TOO_LONG;
                }
                if (b == ' ') {
                    state = VERSION;
                    return null;
                }
                // RFC 9112 §3.2: the target is visible ASCII; whitespace and controls are errors.
                return b > 0x20 && b < 0x7F ? null : FramingViolation.BAD_REQUEST_LINE;
            case VERSION:
                if (++lineBytes > rules.maxRequestLine()) {
                    return FramingViolation.REQUEST_LINE_TOO_LONG;
                }
                if (b == '\r') {
                    state = LINE_END_CR;
                    return checkVersion();
                }
                if (b == '\n') {
                    return FramingViolation.BARE_LF;
                }
                if (version.length() >= 8) {
                    return FramingViolation.BAD_REQUEST_LINE;
                }
                version.append((char) b);
                return null;
            case LINE_END_CR:
                if (b != '\n') {
                    return FramingViolation.BARE_CR;
                }
                headBytes = lineBytes + 2;
                state = FIELD_START;
                return null;
            case FIELD_START:
                if (++headBytes > rules.maxHeaderBytes()) {
                    return FramingViolation.HEADERS_TOO_LARGE;
                }
                if (b == '\r') {
                    state = inTrailer ? TRAILER_END_CR : HEAD_END_CR;
                    return null;
                }
                if (b == ' ' || b == '\t') {
                    return fieldCount == 0 ? FramingViolation.BAD_FIELD_NAME : FramingViolation.OBS_FOLD;
                }
                if (b == '\n') {
                    return FramingViolation.BARE_LF;
                }
                if (!TCHAR[b]) {
                    return FramingViolation.BAD_FIELD_NAME;
                }
                if (++fieldCount > rules.maxHeaderCount()) {
                    return FramingViolation.HEADERS_TOO_LARGE;
                }
                name.setLength(0);
                name.append((char) b);
                state = NAME;
                return null;
            case NAME:
                if (++headBytes > rules.maxHeaderBytes()) {
                    return FramingViolation.HEADERS_TOO_LARGE;
                }
                if (b == ':') {
                    field = inTrailer ? 0 : classify(name);
                    value.setLength(0);
                    state = VALUE;
                    return null;
                }
                if (b == ' ' || b == '\t') {
                    return FramingViolation.WHITESPACE_BEFORE_COLON;
                }
                if (!TCHAR[b]) {
                    return b == '\n' ? FramingViolation.BARE_LF : FramingViolation.BAD_FIELD_NAME;
                }
                if (name.length() < 32) {
                    name.append((char) b);
                }
                return null;
            case VALUE:
                if (++headBytes > rules.maxHeaderBytes()) {
                    return FramingViolation.HEADERS_TOO_LARGE;
                }
                if (b == '\r') {
                    state = VALUE_CR;
                    return null;
                }
                if (b == '\n') {
                    return FramingViolation.BARE_LF;
                }
                // RFC 9110 §5.5: field-vchar, SP, HTAB and obs-text only; NUL and other controls refused.
                if ((b < 0x20 && b != '\t') || b == 0x7F) {
                    return FramingViolation.BAD_FIELD_VALUE;
                }
                if (field != 0) {
                    value.append((char) b);
                }
                return null;
            case VALUE_CR:
                if (b != '\n') {
                    return FramingViolation.BARE_CR;
                }
                ++headBytes;
                state = FIELD_START;
                return endField();
            case HEAD_END_CR:
                if (b != '\n') {
                    return FramingViolation.BARE_CR;
                }
                return endHead();
            case CHUNK_SIZE:
                if (++chunkLineBytes > 1024) {
                    return FramingViolation.INVALID_CHUNK;
                }
                if (hex(b) >= 0) {
                    // RFC 9112 §7.1: chunk-size = 1*HEXDIG; more than 15 digits would overflow.
                    if (++chunkDigits > 15) {
                        return FramingViolation.INVALID_CHUNK;
                    }
                    remaining = remaining * 16 + hex(b);
                    return null;
                }
                if (chunkDigits == 0) {
                    return FramingViolation.INVALID_CHUNK;
                }
                if (b == ';' || b == ' ' || b == '\t') {
                    // RFC 9112 §7.1.1: chunk extensions (after optional BWS) are ignored.
                    state = CHUNK_EXT;
                    return null;
                }
                if (b == '\r') {
                    state = CHUNK_SIZE_CR;
                    return null;
                }
                return FramingViolation.INVALID_CHUNK;
            case CHUNK_EXT:
                if (++chunkLineBytes > 1024) {
                    return FramingViolation.INVALID_CHUNK;
                }
                if (b == '\r') {
                    state = CHUNK_SIZE_CR;
                    return null;
                }
                return (b < 0x20 && b != '\t') || b == 0x7F ? FramingViolation.INVALID_CHUNK : null;
            case CHUNK_SIZE_CR:
                if (b != '\n') {
                    return FramingViolation.INVALID_CHUNK;
                }
                if (remaining == 0) {
                    inTrailer = true;
                    state = FIELD_START;
                    return null;
                }
                bodyBytes += remaining;
                if (rules.maxBodyBytes() > 0 && bodyBytes > rules.maxBodyBytes()) {
                    return FramingViolation.BODY_TOO_LARGE;
                }
                state = CHUNK_DATA;
                return null;
            case CHUNK_DATA_CR:
                if (b != '\r') {
                    return FramingViolation.INVALID_CHUNK;
                }
                state = CHUNK_DATA_LF;
                return null;
            case CHUNK_DATA_LF:
                if (b != '\n') {
                    return FramingViolation.INVALID_CHUNK;
                }
                startChunk();
                return null;
            case TRAILER_END_CR:
                if (b != '\n') {
                    return FramingViolation.BARE_CR;
                }
                endMessage();
                return null;
            default:
                throw new IllegalStateException("state " + state);
        }
    }

    private FramingViolation method(int b) {
        if (++lineBytes > rules.maxRequestLine()) {
            return FramingViolation.REQUEST_LINE_TOO_LONG;
        }
        if (b == ' ' && method.length() > 0) {
            state = TARGET;
            return null;
        }
        if (!TCHAR[b] || method.length() >= 32) {
            return FramingViolation.BAD_REQUEST_LINE;
        }
        method.append((char) b);
        return null;
    }

    /** True when {@code sb} holds exactly {@code s} (no copy). */
    private static boolean is(StringBuilder sb, String s) {
        int n = s.length();
        if (sb.length() != n) {
            return false;
        }
        for (int k = 0; k < n; k++) {
            if (sb.charAt(k) != s.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private FramingViolation checkVersion() {
        if (is(version, "HTTP/1.1") || is(version, "HTTP/1.0")) {
            return null;
        }
        String v = version.toString();
        // RFC 9112 §2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive.
        if (v.length() == 8 && v.startsWith("HTTP/") && Character.isDigit(v.charAt(5)) && v.charAt(6) == '.'
                && Character.isDigit(v.charAt(7))) {
            return FramingViolation.UNSUPPORTED_VERSION;
        }
        return FramingViolation.BAD_REQUEST_LINE;
    }

    /** 1 Content-Length, 2 Transfer-Encoding, 3 Host, 0 any other field (compared in place, no copy). */
    private static int classify(CharSequence n) {
        if (equalsIgnoreCase(n, "Content-Length")) {
            return 1;
        }
        if (equalsIgnoreCase(n, "Transfer-Encoding")) {
            return 2;
        }
        if (equalsIgnoreCase(n, "Host")) {
            return 3;
        }
        return 0;
    }

    private static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }

    /** ASCII case-insensitive equality of a field name being scanned and a known name. */
    private static boolean equalsIgnoreCase(CharSequence n, String known) {
        int len = known.length();
        if (n.length() != len) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            char a = n.charAt(i);
            char b = known.charAt(i);
            if (a != b && lower(a) != lower(b)) {
                return false;
            }
        }
        return true;
    }

    private FramingViolation endField() {
        if (field == 0) {
            return null; // a field the framing rules do not read: its value was not even kept
        }
        String v = trimOws(value);
        switch (field) {
            case 1:
                if (++contentLengthCount > 1) {
                    return FramingViolation.DUPLICATE_CONTENT_LENGTH;
                }
                contentLength = v;
                return null;
            case 2:
                if (transferEncoding == null) {
                    transferEncoding = new StringBuilder(v);
                } else {
                    transferEncoding.append(',').append(v);
                }
                return null;
            case 3:
                if (++hostCount > 1) {
                    return FramingViolation.DUPLICATE_HOST;
                }
                host = v;
                return null;
            default:
                return null;
        }
    }

    private FramingViolation endHead() {
        boolean http11 = is(version, "HTTP/1.1");
        // RFC 9112 §3.2: a server MUST respond 400 to an HTTP/1.1 request without Host or with more than one.
        if (http11 && hostCount == 0) {
            return FramingViolation.MISSING_HOST;
        }
        if (host != null && !validHost(host)) {
            return FramingViolation.INVALID_HOST;
        }
        long length = 0;
        boolean chunked = false;
        if (transferEncoding != null) {
            if (contentLength != null) {
                // RFC 9112 §6.3 (3): a server MAY reject; a proxy in front of others must (smuggling).
                return FramingViolation.CONTENT_LENGTH_AND_TRANSFER_ENCODING;
            }
            if (!http11) {
                return FramingViolation.TRANSFER_ENCODING_IN_HTTP10;
            }
            FramingViolation te = checkTransferEncoding(transferEncoding.toString());
            if (te != null) {
                return te;
            }
            chunked = true;
        } else if (contentLength != null) {
            if (contentLength.isEmpty() || contentLength.length() > 18 || !allDigits(contentLength)) {
                return FramingViolation.INVALID_CONTENT_LENGTH;
            }
            length = Long.parseLong(contentLength);
        }
        if (!rules.allowBodyOnGetHead() && (is(method, "GET") || is(method, "HEAD")) && (chunked || length > 0)) {
            return FramingViolation.BODY_ON_GET_OR_HEAD;
        }
        if (rules.maxBodyBytes() > 0 && length > rules.maxBodyBytes()) {
            return FramingViolation.BODY_TOO_LARGE;
        }
        if (rules.connectTunnels() && is(method, "CONNECT")) {
            // RFC 9110 §9.3.6: a CONNECT request has no content; what follows the head is tunnel data.
            if (chunked || length > 0) {
                return FramingViolation.CONNECT_WITH_CONTENT;
            }
            validHeads++;
            state = TUNNEL;
            return null;
        }
        validHeads++;
        if (chunked) {
            bodyBytes = 0;
            startChunk();
        } else if (length > 0) {
            remaining = length;
            state = FIXED_BODY;
        } else {
            endMessage();
        }
        return null;
    }

    /** RFC 9112 §6.1: chunked must be the final coding and appear once; no other coding is implemented. */
    private static FramingViolation checkTransferEncoding(String te) {
        String[] codings = te.split(",", -1);
        int last = codings.length - 1;
        while (last >= 0 && codings[last].trim().isEmpty()) {
            last--;
        }
        if (last < 0 || !codings[last].trim().equalsIgnoreCase("chunked")) {
            return FramingViolation.TRANSFER_ENCODING_NOT_CHUNKED;
        }
        for (int i = 0; i < last; i++) {
            String c = codings[i].trim();
            if (c.isEmpty()) {
                continue;
            }
            if (c.equalsIgnoreCase("chunked")) {
                return FramingViolation.TRANSFER_ENCODING_NOT_CHUNKED;
            }
            return FramingViolation.UNSUPPORTED_TRANSFER_CODING;
        }
        return null;
    }

    /** uri-host [":" port] (RFC 3986 §3.2.2): reg-name or IPv4 characters, or a bracketed IP literal. */
    static boolean validHost(String h) {
        if (h.isEmpty()) {
            return false;
        }
        int end = h.length();
        int colon;
        if (h.charAt(0) == '[') {
            int close = h.indexOf(']');
            if (close < 0) {
                return false;
            }
            for (int i = 1; i < close; i++) {
                char c = h.charAt(i);
                if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                    return false;
                }
            }
            colon = close + 1 < end ? close + 1 : -1;
            if (colon > 0 && h.charAt(colon) != ':') {
                return false;
            }
        } else {
            colon = h.indexOf(':');
            int hostEnd = colon < 0 ? end : colon;
            if (hostEnd == 0) {
                return false;
            }
            for (int i = 0; i < hostEnd; i++) {
                char c = h.charAt(i);
                boolean unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || c == '-' || c == '.' || c == '_' || c == '~';
                boolean subDelim = "!$&'()*+,;=".indexOf(c) >= 0;
                if (!unreserved && !subDelim && c != '%') {
                    return false;
                }
            }
        }
        if (colon >= 0) {
            String port = h.substring(colon + 1);
            if (port.length() > 5 || !allDigits(port) || (!port.isEmpty() && Integer.parseInt(port) > 65535)) {
                return false;
            }
        }
        return true;
    }

    private void startChunk() {
        state = CHUNK_SIZE;
        remaining = 0;
        chunkDigits = 0;
        chunkLineBytes = 0;
    }

    private void endMessage() {
        state = START;
        messagesEnded++;
    }

    private void resetMessage() {
        method.setLength(0);
        version.setLength(0);
        lineBytes = 0;
        headBytes = 0;
        fieldCount = 0;
        hostCount = 0;
        host = null;
        contentLengthCount = 0;
        contentLength = null;
        transferEncoding = null;
        inTrailer = false;
        remaining = 0;
        bodyBytes = 0;
    }

    private static boolean allDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static int hex(int b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }

    private static String trimOws(CharSequence s) {
        int a = 0;
        int b = s.length();
        while (a < b && (s.charAt(a) == ' ' || s.charAt(a) == '\t')) {
            a++;
        }
        while (b > a && (s.charAt(b - 1) == ' ' || s.charAt(b - 1) == '\t')) {
            b--;
        }
        return s.subSequence(a, b).toString();
    }
}
