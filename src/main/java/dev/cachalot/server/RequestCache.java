package dev.cachalot.server;

import java.nio.ByteBuffer;

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
    private int length = -1;
    /** The parse of {@link #bytes}, null when they do not qualify. */
    private ShortcutRequest parsed;

    /** The request in {@code buf[from, to)}, or null when it does not qualify for the shortcut. */
    ShortcutRequest parse(ByteBuffer buf, int from, int to) {
        int len = to - from;
        if (len == length && same(buf, from, len)) {
            return parsed;
        }
        ShortcutRequest r = ShortcutRequest.parse(buf, from, to);
        if (len <= MAX_BYTES) {
            buf.get(from, bytes, 0, len);
            length = len;
            parsed = r;
        } else {
            length = -1;
        }
        return r;
    }

    private boolean same(ByteBuffer buf, int from, int len) {
        for (int i = 0; i < len; i++) {
            if (buf.get(from + i) != bytes[i]) {
                return false;
            }
        }
        return true;
    }
}
