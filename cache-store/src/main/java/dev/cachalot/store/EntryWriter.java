package dev.cachalot.store;

import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * An in-progress write of one entry: the body is appended in pieces and the entry becomes visible
 * only at {@link #commit}. Until then lookups still see the previous entry under the key (if any).
 *
 * <p>Never throws into the caller: a failed or over-long write turns into a declined writer
 * ({@link #append} returns false, further appends are ignored, {@link #commit} reports why).
 * A writer is used by one thread at a time. Closing an uncommitted writer aborts it, so
 * try-with-resources is safe.
 */
public interface EntryWriter extends AutoCloseable {

  /**
   * Appends the remaining bytes of {@code data} without changing its position (so the same buffer
   * can also be sent to a client).
   *
   * @return true while the write is still accepted; false once it was declined or failed
   */
  boolean append(ByteBuffer data);

  /** Bytes appended so far. */
  long bytesWritten();

  /** Makes the entry visible (replacing any previous entry under the key) and returns the result. */
  CommitResult commit(Instant now);

  /** Discards the write; its bytes are reclaimed. Idempotent; no effect after commit. */
  void abort();

  /** Aborts if not committed. */
  @Override
  void close();
}
