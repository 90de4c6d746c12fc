package dev.cachalot.server;

import dev.cachalot.origin.OriginTarget;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The last request head parsed by the hit shortcut on one connection, with its raw bytes: a client
 * that sends the same head again (a browser or a load tool asking for the same object) gets the
 * parsed {@link ShortcutRequest} back after a byte comparison instead of a new parse and new
 * strings. The parse is a pure function of the bytes, so reusing it cannot change an answer. I/O
 * thread only.
 */
final class RequestCache {
    /** Heads longer than this are parsed every time (not kept). */
    private static final int MAX_BYTES = 2048;

    private final byte[] bytes = new byte[MAX_BYTES];
    /** The bytes of the request being looked up (bulk-copied once, then compared vectorised). */
    private final byte[] scratch = new byte[MAX_BYTES];
    private int length = -1;
    /** The route resolved for {@link #parsed}, and the virtual-host table it was resolved in. */
    private Object routeTable;
    private OriginTarget route;
    /** The parse of {@link #bytes}, null when they do not qualify. */
    private ShortcutRequest parsed;

    /**
     * The last request that qualified, when {@code buf} holds exactly its bytes from {@code from} on
     * (within {@code limit}); else null. Its bytes were validated by the framing scanner when they
     * were first seen, so the caller may pass over them without scanning them again
     * ({@link FramingScanner#skipValidatedHead}); the head ends at {@code from + }{@link #length()}.
     */
    ShortcutRequest known(ByteBuffer buf, int from, int limit) {
        int len = length;
        if (parsed == null || len <= 0 || limit - from < len) {
            return null;
        }
        buf.get(from, scratch, 0, len);
        return Arrays.equals(scratch, 0, len, bytes, 0, len) ? parsed : null;
    }

    /** Length of the last parsed head's bytes. */
    int length() {
        return length;
    }

    /** The request in {@code buf[from, to)}, or null when it does not qualify for the shortcut. */
    ShortcutRequest parse(ByteBuffer buf, int from, int to) {
        int len = to - from;
        if (len == length) {
            buf.get(from, scratch, 0, len);
            if (Arrays.equals(scratch, 0, len, bytes, 0, len)) {
                return parsed;
            }
        }
        ShortcutRequest r = ShortcutRequest.parse(buf, from, to);
        if (len <= MAX_BYTES) {
            buf.get(from, bytes, 0, len);
            length = len;
            parsed = r;
            routeTable = null;
            route = null;
        } else {
            length = -1;
        }
        return r;
    }

    /**
     * The route of {@code r} (the last parsed request) in {@code hosts}: resolved again only when the
     * request or the virtual-host table (a reload) changed since the last call.
     */
    OriginTarget route(ShortcutRequest r, VirtualHosts hosts) {
        Object table = hosts.table();
        if (r != parsed || table != routeTable) {
            OriginTarget t = hosts.resolve(r.host());
            if (r != parsed) {
                return t;
            }
            route = t;
            routeTable = table;
        }
        return route;
    }
}
