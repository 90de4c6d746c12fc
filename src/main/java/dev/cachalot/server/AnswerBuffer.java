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
    /**
     * Where a body read from the file starts in the buffer: its head goes right before it, so the next
     * answer with the same body on this thread only writes its own head (see {@link #ofFile}).
     */
    static final int HEAD_ROOM = 8 * 1024;
    /** Bytes per thread's buffer: a head plus the largest body read or copied, with room for long heads. */
    static final int CAPACITY = FILE_READ_MAX + HEAD_ROOM;
    private static final ByteBuffer NOTHING_LEFT = ByteBuffer.allocate(0);
    private static final ThreadLocal<Slot> SLOTS = ThreadLocal.withInitial(Slot::new);

    /** One I/O thread's buffer, and the file body it still holds at {@link #HEAD_ROOM}, if any. */
    private static final class Slot {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(CAPACITY);
        /** The body whose bytes are at [HEAD_ROOM, HEAD_ROOM + its length), or null. */
        BodyFile body;
    }

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
        Slot slot = SLOTS.get();
        if (headLength + bodyLength > HEAD_ROOM) {
            slot.body = null; // this answer overwrites the body kept at HEAD_ROOM
        }
        ByteBuffer d = slot.buffer;
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
     * ready to write (its position is where the head starts); or null when they do not fit.
     *
     * <p>The body is read to offset {@link #HEAD_ROOM} and the head placed right before it. The
     * thread keeps it there: when the next answer of this thread is for the same {@link BodyFile}
     * object, only the head is written and the file is not read again. A BodyFile object belongs to
     * one stored entry version (the memory tier's entry holds one for all its hits), and the store
     * never reuses the region of an entry that can still be served, so the same object means the same
     * bytes. Any other use of the buffer that reaches past {@code HEAD_ROOM} forgets the body.
     *
     * @throws IOException when the file cannot be read or ends inside the region
     */
    static ByteBuffer ofFile(byte[] head, int headLength, BodyFile file) throws IOException {
        long bodyLength = file.length();
        if (headLength + bodyLength > CAPACITY) {
            return null;
        }
        Slot slot = SLOTS.get();
        ByteBuffer d = slot.buffer;
        if (headLength > HEAD_ROOM || bodyLength > CAPACITY - HEAD_ROOM) {
            slot.body = null; // a long head: head and body from 0, nothing kept
            d.clear();
            d.put(head, 0, headLength);
            d.limit(headLength + (int) bodyLength);
            file.read(0, d);
            return d.flip();
        }
        int end = HEAD_ROOM + (int) bodyLength;
        if (slot.body != file) {
            slot.body = null; // until the read below has succeeded
            d.clear().position(HEAD_ROOM).limit(end);
            file.read(0, d);
            slot.body = file;
        }
        int start = HEAD_ROOM - headLength;
        d.clear().position(start);
        d.put(head, 0, headLength);
        return d.limit(end).position(start);
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
