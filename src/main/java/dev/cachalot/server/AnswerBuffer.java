package dev.cachalot.server;

import dev.cachalot.store.BodyFile;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The direct buffer an I/O thread gathers a hit-shortcut answer into just before writing it
 * ({@link ShortcutConnection}): the head, which is a heap array, and for a small body the body too.
 *
 * <p>Why: the JDK writes a heap buffer by first copying it into a temporary direct buffer of its
 * own (a thread-local cache with its own bookkeeping, on every write); and a small body sent after
 * the head in the same buffer makes the answer one {@code write} of one buffer instead of a
 * {@code writev} of two. A body above {@link #BODY_COPY_MAX} is not copied: it is written from its
 * own (direct) buffer after the head, as before.
 *
 * <p>One buffer per thread, so connections served by one I/O thread share it; that is safe because
 * a connection uses it only within one write call: what the socket does not take is copied out into
 * the connection's own buffer before the call returns ({@link #keepRest}), so bytes still to be sent
 * never sit in the shared buffer.
 */
final class AnswerBuffer {
    /**
     * Bodies up to this size are copied after the head, making the answer a single buffer. Measured
     * side by side (hits at 64 connections, 2026-11-26): for 1 KiB bodies the single write costs less
     * CPU than the gathering one; copying a 16 KiB body costs more user time than the second iovec saves.
     */
    static final int BODY_COPY_MAX = 8 * 1024;
    /**
     * Bodies that lie in the store's file ({@link BodyFile}) up to this size are read from the file
     * ({@code pread}) into the buffer after the head and written with it; larger ones are sent with
     * {@code sendfile} after the head. Measured side by side (hits at 64 connections, 2026-11-26,
     * docs/benchmarks.md "Bodies served from the page cache"): at 16 KiB the read and one write cost
     * what main's write from the mapping costs, where a head write plus sendfile (a second TCP segment,
     * and the JDK's size check per transfer) was 0.85x; at 32 KiB they were even, at 60 KiB sendfile
     * was ahead.
     */
    static final int FILE_READ_MAX = 32 * 1024;
    /** Bytes per thread's buffer: a head plus the largest body read or copied, with room for long heads. */
    static final int CAPACITY = FILE_READ_MAX + 8 * 1024;
    private static final ByteBuffer NOTHING_LEFT = ByteBuffer.allocate(0);
    private static final ThreadLocal<ByteBuffer> BUFFERS = ThreadLocal.withInitial(
            () -> ByteBuffer.allocateDirect(CAPACITY));

    private AnswerBuffer() {
    }

    /**
     * The calling thread's buffer holding {@code head[0, headLength)} followed by {@code body} (its
     * remaining bytes; the body's position is not moved), ready to write; or null when they do not fit.
     */
    static ByteBuffer of(byte[] head, int headLength, ByteBuffer body) {
        int bodyLength = body == null ? 0 : body.remaining();
        if (headLength + bodyLength > CAPACITY) {
            return null;
        }
        ByteBuffer d = BUFFERS.get();
        d.clear();
        d.put(head, 0, headLength);
        if (bodyLength > 0) {
            d.put(headLength, body, body.position(), bodyLength);
        }
        return d.limit(headLength + bodyLength).position(0);
    }

    /**
     * The calling thread's buffer holding {@code head[0, headLength)} followed by the bytes of
     * {@code file}, read with positional reads (so the body's pages are not mapped into this process),
     * ready to write; or null when they do not fit.
     *
     * @throws IOException when the file cannot be read or ends inside the region
     */
    static ByteBuffer ofFile(byte[] head, int headLength, BodyFile file) throws IOException {
        long bodyLength = file.length();
        if (headLength + bodyLength > CAPACITY) {
            return null;
        }
        ByteBuffer d = BUFFERS.get();
        d.clear();
        d.put(head, 0, headLength);
        d.limit(headLength + (int) bodyLength);
        file.read(0, d);
        return d.flip();
    }

    /**
     * What is left to write of {@code written}, a thread's buffer from {@link #of} that the socket
     * took only part of, as a buffer of its own (the thread's buffer is reused by the next answer).
     */
    static ByteBuffer keepRest(ByteBuffer written) {
        if (!written.hasRemaining()) {
            return NOTHING_LEFT;
        }
        ByteBuffer rest = ByteBuffer.allocate(written.remaining());
        rest.put(written);
        return rest.flip();
    }
}
