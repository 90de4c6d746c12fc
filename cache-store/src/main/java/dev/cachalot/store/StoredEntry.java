package dev.cachalot.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Optional;

/**
 * A committed entry as returned by a lookup: its head, identity and body.
 *
 * <p>An entry object is a snapshot: a later replace or remove does not change it. Its body stays
 * readable while the entry is in the store; if the entry is removed or evicted while a large body
 * is being streamed, or a body chunk fails its checksum, reading throws {@link IOException}
 * (for a checksum failure a {@link CorruptBodyException}; the entry has then already been dropped
 * and counted). Callers that already sent the response head must then abort the response rather
 * than end it normally, so a torn body is never served as complete.
 *
 * <p>An entry returned by {@link CacheStore#lookup} may hold a <em>lease</em> on its body: a disk
 * entry then hands out a read-only view of the mapped file ({@link #bodyBuffer()}) instead of a
 * copy, and keeps its body readable even when the entry is replaced, removed or evicted meanwhile
 * (the freeing of its chunks waits for the last lease). The caller must {@link #close()} such an
 * entry once the body is no longer read, e.g. after the response write completed or failed; the
 * buffers it handed out are not valid after that. Closing twice is harmless. A memory-tier hit whose
 * body is a view of the disk tier's mapped file ({@link StoreTier#MEMORY_MAPPED},
 * {@code cache.memory.bodies: mapped}) holds a reference that keeps that view valid in the same way
 * and must be closed too. Memory-tier entries with their own copy ({@link StoreTier#MEMORY}) and
 * entries from a commit hold nothing; their close does nothing. Entries from
 * {@link CacheStore#forEachEntry} may be read only while the visitor runs.
 * A lease never closed is a leak: the chunks of a removed entry then stay on disk until the next
 * start reclaims them (counted, see the disk tier's lease statistics).
 */
public interface StoredEntry extends AutoCloseable {

  /** The key this entry is stored under. */
  StoreKey key();

  /** The head the proxy stored (possibly replaced since the body was written). */
  EntryHead head();

  /** Stable id of this body; unchanged by head replacement, new on every write. */
  long entryId();

  /** Version of the head: 0 at commit, +1 on every successful {@link CacheStore#replaceHead}. */
  int headVersion();

  /** Body length in bytes. */
  long bodyLength();

  /** CRC32C of the whole body. */
  int bodyChecksum();

  /** The tier that served this lookup. */
  StoreTier tier();

  /**
   * The whole body as a read-only buffer when it is held in memory (memory-tier entries, and small
   * disk entries that were read and verified at lookup); empty otherwise. The buffer is a fresh
   * read-only view for this caller (independent position/limit), shares the bytes, and is usually
   * direct, so it can be handed to a socket without copying.
   */
  Optional<ByteBuffer> bodyBuffer();

  /**
   * {@link #bodyBuffer()} as the buffer or null: the same fresh view, without an {@code Optional}
   * per call (the hit path asks on every request).
   */
  default ByteBuffer bodyBufferOrNull() {
    return bodyBuffer().orElse(null);
  }

  /**
   * Where the whole body lies in the disk tier's chunks file, for sending it from the page cache
   * ({@code sendfile}) instead of reading {@link #bodyBuffer()}: present for bodies that are one
   * chunk in the part of the file the tier maps (disk hits served as views, and memory-tier entries
   * that view the disk's chunk, {@link StoreTier#MEMORY_MAPPED}); empty otherwise (own copies,
   * streamed and several-chunk bodies). The bytes are those of {@link #bodyBuffer()}, checked in the
   * same way (the first read of an entry in this process verifies its CRC32C, read from the file
   * without mapping it). Valid until {@link #close()}; see {@link BodyFile}.
   */
  default Optional<BodyFile> bodyFile() {
    return Optional.empty();
  }

  /** Opens the whole body as a stream. */
  default InputStream openBody() {
    return openRange(0, bodyLength());
  }

  /**
   * Opens {@code [offset, offset + length)} of the body as a stream.
   *
   * @throws IllegalArgumentException when the range is not inside the body
   */
  InputStream openRange(long offset, long length);

  /**
   * Writes {@code [offset, offset + length)} of the body to {@code out}, chunk by chunk, without
   * materialising the whole body on the heap.
   *
   * @throws IllegalArgumentException when the range is not inside the body
   * @throws IOException when the body is gone or corrupt, or {@code out} fails
   */
  void transferTo(long offset, long length, WritableByteChannel out) throws IOException;

  /**
   * Releases this lookup's lease on the body (if it holds one); idempotent, never throws. After it,
   * buffers from {@link #bodyBuffer()} must not be read any more.
   */
  @Override
  default void close() {}
}
