package dev.cachalot.store.tier;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * A growing off-heap buffer that collects a body up to a limit, with its running CRC32C. Once the
 * limit is passed it drops the bytes and reports overflow (the caller then stops keeping a copy).
 *
 * <p>Optionally the first {@code heapUpTo} bytes are collected on the Java heap instead: a body
 * that the memory tier will most likely reference in the disk tier's mapped file
 * ({@code cache.memory.bodies: mapped}) needs its copy only until the disk commit, and a heap
 * array is reclaimed by the next young collection, where an off-heap buffer's native memory is
 * freed only after a collection finds it unreachable. A body growing past {@code heapUpTo} moves
 * off-heap at its next growth (a copy that growing makes anyway).
 */
public final class BodyAccumulator {
  private static final int INITIAL = 16 * 1024;

  private final long limit;
  private final long heapUpTo;
  private final CRC32C crc = new CRC32C();
  private ByteBuffer buf;
  private long length;
  private boolean overflowed;

  /**
   * Creates an accumulator.
   *
   * @param limit the most bytes to keep
   * @param expectedLength the expected body length, or -1 (sizes the first buffer)
   */
  public BodyAccumulator(long limit, long expectedLength) {
    this(limit, expectedLength, 0);
  }

  /**
   * Creates an accumulator that keeps bodies of up to {@code heapUpTo} bytes on the Java heap.
   *
   * @param limit the most bytes to keep
   * @param expectedLength the expected body length, or -1 (sizes the first buffer)
   * @param heapUpTo buffers up to this capacity are heap arrays, larger ones off-heap
   */
  public BodyAccumulator(long limit, long expectedLength, long heapUpTo) {
    this.limit = limit;
    this.heapUpTo = heapUpTo;
    if (expectedLength > limit) {
      overflowed = true;
    } else {
      int first = expectedLength >= 0 ? (int) expectedLength : (int) Math.min(INITIAL, limit);
      buf = allocate(first);
    }
  }

  private ByteBuffer allocate(int capacity) {
    return capacity <= heapUpTo ? ByteBuffer.allocate(capacity) : ByteBuffer.allocateDirect(capacity);
  }

  /** Appends the remaining bytes of {@code data} without moving its position; false once over the limit. */
  public boolean append(ByteBuffer data) {
    int n = data.remaining();
    length += n;
    if (overflowed) {
      return false;
    }
    if (length > limit) {
      overflowed = true;
      buf = null;
      return false;
    }
    if (buf.remaining() < n) {
      long want = Math.max((long) buf.capacity() * 2, (long) buf.position() + n);
      ByteBuffer bigger = allocate((int) Math.min(want, limit));
      buf.flip();
      bigger.put(buf);
      buf = bigger;
    }
    ByteBuffer src = data.duplicate();
    crc.update(src.duplicate());
    buf.put(src);
    return true;
  }

  /** True once more than the limit was appended. */
  public boolean overflowed() {
    return overflowed;
  }

  /** Bytes appended so far (also counted after overflow). */
  public long length() {
    return length;
  }

  /** CRC32C of the bytes appended (valid unless overflowed). */
  public int crc() {
    return (int) crc.getValue();
  }

  /**
   * The collected body as a buffer from 0 to its length, trimmed to size when the buffer grew much
   * larger than needed. Only valid when not overflowed, and only once (this or {@link #finishDirect}).
   * A body within {@code heapUpTo} is a heap buffer.
   */
  public ByteBuffer finish() {
    return finish(false);
  }

  /** Like {@link #finish()}, but always an off-heap buffer (a heap body is copied once). */
  public ByteBuffer finishDirect() {
    return finish(true);
  }

  private ByteBuffer finish(boolean direct) {
    if (overflowed) {
      throw new IllegalStateException("body exceeded " + limit + " bytes");
    }
    ByteBuffer out = buf;
    out.flip();
    if ((direct && !out.isDirect()) || out.capacity() - out.limit() > out.limit() / 4 + 4096) {
      ByteBuffer exact = direct || out.isDirect() ? ByteBuffer.allocateDirect(out.limit())
          : ByteBuffer.allocate(out.limit());
      exact.put(out);
      exact.flip();
      out = exact;
    }
    buf = null;
    return out;
  }
}
