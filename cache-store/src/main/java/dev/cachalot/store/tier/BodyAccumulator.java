package dev.cachalot.store.tier;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * A growing off-heap buffer that collects a body up to a limit, with its running CRC32C. Once the
 * limit is passed it drops the bytes and reports overflow (the caller then stops keeping a copy).
 */
public final class BodyAccumulator {
  private static final int INITIAL = 16 * 1024;

  private final long limit;
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
    this.limit = limit;
    if (expectedLength > limit) {
      overflowed = true;
    } else {
      int first = expectedLength >= 0 ? (int) expectedLength : (int) Math.min(INITIAL, limit);
      buf = ByteBuffer.allocateDirect(first);
    }
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
      ByteBuffer bigger = ByteBuffer.allocateDirect((int) Math.min(want, limit));
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
   * larger than needed. Only valid when not overflowed.
   */
  public ByteBuffer finish() {
    if (overflowed) {
      throw new IllegalStateException("body exceeded " + limit + " bytes");
    }
    ByteBuffer out = buf;
    out.flip();
    if (out.capacity() - out.limit() > out.limit() / 4 + 4096) {
      ByteBuffer exact = ByteBuffer.allocateDirect(out.limit());
      exact.put(out);
      exact.flip();
      out = exact;
    }
    buf = null;
    return out;
  }
}
