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
     * The bytes of a prepared hit head for a body of {@code length} bytes, cached in the prepared head
     * (a hot object's head is encoded about once a second, not per hit). As
     * {@link UndertowResponseSink#sendComplete(PreparedHead, ByteBuffer)}: hop-by-hop fields and any
     * Content-Length removed, Content-Length for {@code length} added. A head without {@code Date}
     * (Undertow would add the current one) is encoded per call.
     */
    static byte[] forHit(PreparedHead prepared, long length) {
        Object cached = prepared.wire();
        if (cached instanceof Cached && ((Cached) cached).length == length) {
            return ((Cached) cached).bytes;
        }
        ResponseHead head = prepared.head();
        WireHead w = new WireHead(head.status(), head.reason());
        w.copy(head.headers(), false);
        w.map.put(Headers.CONTENT_LENGTH, Long.toString(length));
        boolean dated = w.map.contains(Headers.DATE);
        byte[] bytes = w.encode();
        if (dated) {
            prepared.wire(new Cached(length, bytes));
        }
        return bytes;
    }

    /** A cached encoding of a prepared head for one body length. */
    private record Cached(long length, byte[] bytes) {}

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
        for (long c = map.fastIterateNonEmpty(); c != -1L; c = map.fiNextNonEmpty(c)) {
            HeaderValues values = map.fiCurrent(c);
            HttpString name = values.getHeaderName();
            for (String v : values) {
                name.appendTo(out);
                out.put((byte) ':').put((byte) ' ');
                putString(out, v);
                out.put((byte) '\r').put((byte) '\n');
            }
        }
        out.put((byte) '\r').put((byte) '\n');
        return out.array();
    }

    /** As Undertow's writer: each char cut to a byte, CR and LF written as a space. */
    private static void putString(ByteBuffer out, String s) {
        for (int i = 0; i < s.length(); i++) {
            byte b = (byte) s.charAt(i);
            out.put(b == '\r' || b == '\n' ? (byte) ' ' : b);
        }
    }
}
