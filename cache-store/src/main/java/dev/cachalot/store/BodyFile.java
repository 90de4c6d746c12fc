package dev.cachalot.store;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Objects;

/**
 * Where a stored body lies in a file: {@code length} bytes at {@code position} of {@code channel}
 * (the disk tier's chunks file), so the proxy can send it from the page cache with
 * {@link FileChannel#transferTo} (Linux {@code sendfile}) instead of reading it through a mapping,
 * which keeps the body out of the process's resident memory.
 *
 * <p>Valid, with the same bytes as {@link StoredEntry#bodyBuffer()}, while the entry it came from is
 * open (its lease or reference defers the free of the chunk). The channel is shared and read with
 * explicit positions only: never change its position, never close it. It is closed when the store
 * is closed; a transfer after that fails with an {@link java.io.IOException}.
 *
 * @param channel the file, opened for reading
 * @param position file offset of the body's first byte
 * @param length body bytes
 */
public record BodyFile(FileChannel channel, long position, long length) {
  /** Checks the arguments. */
  public BodyFile {
    Objects.requireNonNull(channel, "channel");
    if (position < 0 || length < 0) {
      throw new IllegalArgumentException("position " + position + ", length " + length);
    }
  }

  /**
   * Fills the remaining bytes of {@code dst} with the body's bytes from {@code offset} (counted from
   * the body's first byte) on, with positional reads: the channel's position does not move and the
   * pages are not mapped into this process.
   *
   * @throws IllegalArgumentException when the read would go past the body's end
   * @throws EOFException when the file ends before the bytes (the region is not the stored body)
   */
  public void read(long offset, ByteBuffer dst) throws IOException {
    if (offset < 0 || offset + dst.remaining() > length) {
      throw new IllegalArgumentException("bytes " + offset + "+" + dst.remaining() + " of a body of " + length);
    }
    long at = position + offset;
    while (dst.hasRemaining()) {
      int n = channel.read(dst, at);
      if (n < 0) {
        throw new EOFException("the file ends inside the body at " + at);
      }
      at += n;
    }
  }
}
