package dev.cachalot.server;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.ResponseHead;
import dev.cachalot.origin.ProxyHeaders;
import io.undertow.util.DateUtils;
import io.undertow.util.HeaderMap;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.StatusCodes;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Date;

/**
 * An HTTP/1.1 response head encoded to bytes exactly as the Undertow path writes it, for the hit
 * shortcut ({@link HitShortcut}): the fields go through the same operations on an Undertow
 * {@link HeaderMap} as {@link UndertowResponseSink} performs on the exchange (so they come out in the
 * map's own order, which is not insertion order), Undertow's additions for a persistent HTTP/1.1
 * exchange are made (a {@code Date} when none is present; no {@code Connection} field), and the
 * bytes are written as Undertow's {@code HttpResponseConduit} writes them (status line with the
 * given or Undertow's standard reason phrase, {@code Name: value} lines, CR and LF in values turned
 * into spaces, characters cut to 8 bits). Tests compare the two paths byte for byte.
 */
final class WireHead {
    private static final byte[] HTTP_1_1 = "HTTP/1.1 ".getBytes(StandardCharsets.US_ASCII);

    private final int status;
    private final String reason;
    private final HeaderMap map = new HeaderMap();

    /** @param reason the reason phrase, or null/"" for Undertow's standard one */
    WireHead(int status, String reason) {
        this.status = status;
        this.reason = reason == null || reason.isEmpty() ? null : reason;
    }

    /**
     * The wire form of a hit head's template for a body of {@code length} bytes, built once per
     * template and body length and cached in the template: the bytes Undertow would write for it, as
     * {@link UndertowResponseSink#sendComplete(PreparedHead, ByteBuffer)} does (hop-by-hop fields
     * and any Content-Length removed, Content-Length for {@code length} added), with the varying
     * values (Age, our Cache-Status entry, an added Date) cut out and their places remembered.
     * Undertow's header map does not keep insertion order, so these values sit between fixed
     * fields, not at the end: a request's head is the fixed bytes with its values written into
     * those places ({@link HitBytes#fill}).
     */
    static HitBytes template(PreparedHead.Template t, long length) {
        Object cached = t.wire();
        if (cached instanceof HitBytes && ((HitBytes) cached).length == length) {
            return (HitBytes) cached;
        }
        ResponseHead head = t.head();
        WireHead w = new WireHead(head.status(), head.reason());
        w.copy(head.headers(), false);
        w.map.put(Headers.CONTENT_LENGTH, Long.toString(length));
        HitBytes built = w.encodeTemplate(t, length);
        t.encodings++;
        t.wire(built);
        return built;
    }

    /**
     * A hit head's bytes with holes: {@code fixed} is the whole head without the varying values, and
     * hole {@code i} goes at offset {@code holes[i] >>> 2} of it (offsets ascending), its kind being
     * {@code Hole.values()[holes[i] & 3]}. Immutable; shared by every request for one entry version.
     * Kept small (it lives as long as the entry): the fixed bytes and one int per hole; the
     * Cache-Status text around the ttl is read from the template, whose strings are shared.
     */
    static final class HitBytes {
        private static final PreparedHead.Hole[] KINDS = PreparedHead.Hole.values();
        private final byte[] fixed;
        private final int[] holes;
        final long length;

        private HitBytes(byte[] fixed, int[] holes, long length) {
            this.fixed = fixed;
            this.holes = holes;
            this.length = length;
        }

        /**
         * Writes the head of {@code p} (made from this template) into {@code out} from 0, growing it
         * when too small, and returns the array written to; {@code size[0]} gets the byte count.
         */
        byte[] fill(PreparedHead p, byte[] out, int[] size) {
            int n = fixed.length;
            for (int h : holes) {
                n += length(KINDS[h & 3], p);
            }
            byte[] b = out != null && out.length >= n ? out : new byte[Math.max(n, 512)];
            int from = 0;
            int pos = 0;
            for (int h : holes) {
                int at = h >>> 2;
                int len = at - from;
                System.arraycopy(fixed, from, b, pos, len);
                pos += len;
                from = at;
                pos = put(KINDS[h & 3], p, b, pos);
            }
            System.arraycopy(fixed, from, b, pos, fixed.length - from);
            size[0] = pos + fixed.length - from;
            return b;
        }

        private static int length(PreparedHead.Hole h, PreparedHead p) {
            switch (h) {
                case AGE:
                    return digits(p.age());
                case STATUS:
                    PreparedHead.Template t = p.template();
                    return t.statusPrefix().length() + digits(p.ttl()) + t.statusSuffix().length();
                default:
                    return 29; // IMF-fixdate, RFC 9110 §5.6.7
            }
        }

        private static int put(PreparedHead.Hole h, PreparedHead p, byte[] b, int pos) {
            switch (h) {
                case AGE:
                    return putLong(b, pos, p.age());
                case STATUS:
                    PreparedHead.Template t = p.template();
                    pos = putString(b, pos, t.statusPrefix());
                    pos = putLong(b, pos, p.ttl());
                    return putString(b, pos, t.statusSuffix());
                default:
                    return putString(b, pos, PreparedHead.dateText(p.second()));
            }
        }

        /** The whole head of {@code p} as a new array (tests and one-off use). */
        byte[] bytes(PreparedHead p) {
            int[] size = new int[1];
            byte[] b = fill(p, null, size);
            return Arrays.copyOf(b, size[0]);
        }
    }

    /** Decimal digits of {@code v}, with a sign when negative (comparisons, no division: called per hit). */
    static int digits(long v) {
        if (v < 0) {
            return v == Long.MIN_VALUE ? 20 : 1 + digits(-v);
        }
        long p = 10;
        for (int n = 1; n < 19; n++) {
            if (v < p) {
                return n;
            }
            p *= 10;
        }
        return 19;
    }

    /** Writes {@code v} in decimal at {@code pos}; returns the position after it. */
    static int putLong(byte[] b, int pos, long v) {
        if (v == Long.MIN_VALUE) {
            byte[] s = Long.toString(v).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(s, 0, b, pos, s.length);
            return pos + s.length;
        }
        if (v < 0) {
            b[pos++] = '-';
            v = -v;
        }
        int end = pos + digits(v);
        for (int i = end - 1; i >= pos; i--) {
            b[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        return end;
    }

    /** Writes {@code s} as Undertow writes a value (each char cut to a byte, CR and LF as a space); returns the end. */
    private static int putString(byte[] b, int pos, String s) {
        for (int i = 0; i < s.length(); i++) {
            byte c = (byte) s.charAt(i);
            b[pos++] = c == '\r' || c == '\n' ? (byte) ' ' : c;
        }
        return pos;
    }

    /**
     * Adds {@code fields} with hop-by-hop fields removed (RFC 9110 §7.6.1), as
     * {@code UndertowResponseSink.copyHeaders} does; Content-Length is skipped unless {@code keepLength}.
     */
    WireHead copy(HeaderFields fields, boolean keepLength) {
        HeaderFields h = ProxyHeaders.stripHopByHop(fields);
        for (int i = 0; i < h.size(); i++) {
            String name = h.name(i);
            if (!keepLength && name.equalsIgnoreCase("Content-Length")) {
                continue;
            }
            map.add(HttpString.tryFromString(name), h.value(i));
        }
        return this;
    }

    WireHead add(String name, String value) {
        map.add(HttpString.tryFromString(name), value);
        return this;
    }

    WireHead put(HttpString name, String value) {
        map.put(name, value);
        return this;
    }

    WireHead remove(HttpString name) {
        map.remove(name);
        return this;
    }

    boolean contains(HttpString name) {
        return map.contains(name);
    }

    /** The head's bytes, with Undertow's Date added when the head has none. */
    byte[] encode() {
        return write(null, null, null);
    }

    /** The head's bytes with the values that are placeholders of {@code t} cut out ({@link HitBytes}). */
    private HitBytes encodeTemplate(PreparedHead.Template t, long length) {
        int[] holes = new int[PreparedHead.Hole.values().length];
        int[] count = new int[1];
        byte[] fixed = write(t, holes, count);
        return new HitBytes(fixed, Arrays.copyOf(holes, count[0]), length);
    }

    /**
     * Writes the head as Undertow's {@code HttpResponseConduit} does. With a template {@code t}, a
     * value that is one of its placeholders is not written: its offset and kind go to {@code holes}
     * ({@link HitBytes} packing), and their number to {@code count[0]}.
     */
    private byte[] write(PreparedHead.Template t, int[] holes, int[] count) {
        if (!map.contains(Headers.DATE)) {
            // As DateUtils.addDateHeaderIfRequired (server.alwaysSetDate is on): the current second.
            map.put(Headers.DATE, DateUtils.toDateString(new Date()));
        }
        String phrase = reason != null ? reason : StatusCodes.getReason(status);
        int size = HTTP_1_1.length + 4 + phrase.length() + 4;
        for (long c = map.fastIterateNonEmpty(); c != -1L; c = map.fiNextNonEmpty(c)) {
            HeaderValues values = map.fiCurrent(c);
            for (String v : values) {
                size += values.getHeaderName().length() + 2 + v.length() + 2;
            }
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.put(HTTP_1_1);
        out.put((byte) ('0' + status / 100)).put((byte) ('0' + status / 10 % 10)).put((byte) ('0' + status % 10));
        out.put((byte) ' ');
        putString(out, phrase);
        out.put((byte) '\r').put((byte) '\n');
        int n = 0;
        for (long c = map.fastIterateNonEmpty(); c != -1L; c = map.fiNextNonEmpty(c)) {
            HeaderValues values = map.fiCurrent(c);
            HttpString name = values.getHeaderName();
            for (String v : values) {
                name.appendTo(out);
                out.put((byte) ':').put((byte) ' ');
                PreparedHead.Hole hole = t == null ? null : t.holeOf(v);
                if (hole == null) {
                    putString(out, v);
                } else {
                    holes[n] = out.position() << 2 | hole.ordinal();
                    n++;
                }
                out.put((byte) '\r').put((byte) '\n');
            }
        }
        out.put((byte) '\r').put((byte) '\n');
        if (count != null) {
            count[0] = n;
        }
        return n == 0 ? out.array() : Arrays.copyOf(out.array(), out.position());
    }

    /** As Undertow's writer: each char cut to a byte, CR and LF written as a space. */
    private static void putString(ByteBuffer out, String s) {
        for (int i = 0; i < s.length(); i++) {
            byte b = (byte) s.charAt(i);
            out.put(b == '\r' || b == '\n' ? (byte) ' ' : b);
        }
    }
}
