package dev.cachalot.store.tier;

import dev.cachalot.store.CorruptBodyException;
import dev.cachalot.store.EntryCodec.Variant;
import dev.cachalot.store.EntryHead;
import dev.cachalot.store.StoreKey;
import dev.cachalot.store.StoreTier;
import dev.cachalot.store.StoredEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * A disk entry whose body is read chunk by chunk on demand; each chunk is checked (length and
 * CRC32C) as it is read, and a whole-body read also checks the body CRC32C at its end. Only one
 * chunk is on the heap at a time per reader.
 */
final class ChunkedEntry implements StoredEntry {
  private final ChronicleTier tier;
  private final StoreKey key;
  private final Variant v;
  /** The lease a lookup took (chunks stay until it is released), or null (walks, commits). */
  private final Leases.Lease lease;

  ChunkedEntry(ChronicleTier tier, StoreKey key, Variant v) {
    this(tier, key, v, null);
  }

  ChunkedEntry(ChronicleTier tier, StoreKey key, Variant v, Leases.Lease lease) {
    this.tier = tier;
    this.key = key;
    this.v = v;
    this.lease = lease;
  }

  /** The tier this entry was read from. */
  ChronicleTier owner() {
    return tier;
  }

  /** The decoded variant (head, id, length, chunk size). */
  Variant variant() {
    return v;
  }

  @Override
  public void close() {
    if (lease != null) {
      lease.close();
    }
  }

  @Override
  public StoreKey key() {
    return key;
  }

  @Override
  public EntryHead head() {
    return v.head();
  }

  @Override
  public long entryId() {
    return v.entryId();
  }

  @Override
  public int headVersion() {
    return v.headVersion();
  }

  @Override
  public long bodyLength() {
    return v.bodyLength();
  }

  @Override
  public int bodyChecksum() {
    return v.bodyCrc();
  }

  @Override
  public StoreTier tier() {
    return StoreTier.DISK;
  }

  @Override
  public Optional<ByteBuffer> bodyBuffer() {
    return Optional.empty();
  }

  @Override
  public InputStream openRange(long offset, long length) {
    BufferedEntry.checkRange(offset, length, v.bodyLength());
    return new ChunkStream(offset, length);
  }

  @Override
  public void transferTo(long offset, long length, WritableByteChannel out) throws IOException {
    BufferedEntry.checkRange(offset, length, v.bodyLength());
    ChunkStream s = new ChunkStream(offset, length);
    while (s.fill()) {
      ByteBuffer b = ByteBuffer.wrap(s.buf, s.pos, s.lim - s.pos);
      while (b.hasRemaining()) {
        out.write(b);
      }
      s.pos = s.lim;
    }
  }

  @Override
  public String toString() {
    return "ChunkedEntry[" + key + ", id=" + v.entryId() + ", v=" + v.headVersion() + ", " + v.bodyLength() + " bytes]";
  }

  /** Reads {@code [offset, offset+length)} chunk by chunk. */
  private final class ChunkStream extends InputStream {
    private final byte[] buf = new byte[(int) Math.min(v.chunkBytes(), Math.max(1, v.bodyLength()))];
    private final long end;
    private final boolean whole;
    private final CRC32C crc = new CRC32C();
    private long next;
    private int chunkIndex;
    private int pos;
    private int lim;

    ChunkStream(long offset, long length) {
      this.next = offset;
      this.end = offset + length;
      this.whole = offset == 0 && length == v.bodyLength();
      this.chunkIndex = (int) (offset / v.chunkBytes());
      this.pos = 0;
      this.lim = 0;
    }

    /** Makes bytes available in buf[pos..lim); false at the end of the range. */
    boolean fill() throws IOException {
      if (pos < lim) {
        return true;
      }
      if (next >= end) {
        return false;
      }
      long chunkStart = (long) chunkIndex * v.chunkBytes();
      int want = (int) Math.min(v.chunkBytes(), v.bodyLength() - chunkStart);
      ChronicleTier.ChunkRead r;
      try {
        r = tier.readChunk(v.entryId(), chunkIndex, buf, 0, want, true);
      } catch (RuntimeException | AssertionError | InternalError e) {
        tier.countFailure();
        throw new IOException("reading chunk " + chunkIndex + " of " + key + " failed: " + e, e);
      }
      if (r == ChronicleTier.ChunkRead.CORRUPT) {
        tier.dropCorruptEntry(key, v.entryId(), "chunk " + chunkIndex + " failed its check");
        throw new CorruptBodyException("chunk " + chunkIndex + " of " + key + " failed its checksum");
      }
      if (r == ChronicleTier.ChunkRead.MISSING) {
        tier.dropMissing(key, v.entryId(), "chunk " + chunkIndex + " missing");
        throw new IOException("chunk " + chunkIndex + " of " + key + " is gone (entry removed or replaced)");
      }
      if (whole) {
        crc.update(buf, 0, want);
        if (chunkStart + want == v.bodyLength() && (int) crc.getValue() != v.bodyCrc()) {
          tier.dropCorruptEntry(key, v.entryId(), "body checksum mismatch");
          throw new CorruptBodyException("body of " + key + " failed its checksum");
        }
      }
      pos = (int) (next - chunkStart);
      lim = (int) Math.min(want, end - chunkStart);
      next = chunkStart + lim;
      chunkIndex++;
      return true;
    }

    @Override
    public int read() throws IOException {
      return fill() ? buf[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      if (!fill()) {
        return -1;
      }
      int n = Math.min(len, lim - pos);
      System.arraycopy(buf, pos, b, off, n);
      pos += n;
      return n;
    }

    @Override
    public int available() {
      return lim - pos;
    }
  }
}
