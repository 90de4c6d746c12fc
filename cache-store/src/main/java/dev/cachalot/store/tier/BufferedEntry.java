package dev.cachalot.store.tier;

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

/**
 * An entry whose whole body is held in one buffer (memory-tier entries, and small disk entries read
 * and verified at lookup). Reads never copy the buffer; each caller gets its own view.
 */
public final class BufferedEntry implements StoredEntry {
  private final StoreKey key;
  private final EntryHead head;
  private final long entryId;
  private final int headVersion;
  private final int bodyCrc;
  private final StoreTier tier;
  private final ByteBuffer body;
  /** The disk tier's lease on a mapped body, or null (memory entries, copied bodies). */
  private final Leases.Lease lease;

  /**
   * Creates the entry.
   *
   * @param body the body bytes from position 0 to limit; kept (read-only) and never modified
   */
  public BufferedEntry(StoreKey key, EntryHead head, long entryId, int headVersion, int bodyCrc,
      StoreTier tier, ByteBuffer body) {
    this(key, head, entryId, headVersion, bodyCrc, tier, body, null);
  }

  /** An entry whose body is a view of the disk tier's mapped file, valid while {@code lease} is held. */
  BufferedEntry(StoreKey key, EntryHead head, long entryId, int headVersion, int bodyCrc,
      StoreTier tier, ByteBuffer body, Leases.Lease lease) {
    this.lease = lease;
    this.key = key;
    this.head = head;
    this.entryId = entryId;
    this.headVersion = headVersion;
    this.bodyCrc = bodyCrc;
    this.tier = tier;
    this.body = body.isReadOnly() ? body : body.asReadOnlyBuffer();
  }

  /** The same body and identity with another head and version (after a head replacement). */
  public BufferedEntry withHead(EntryHead newHead, int newVersion) {
    return new BufferedEntry(key, newHead, entryId, newVersion, bodyCrc, tier, body);
  }

  /** The same entry as served by another tier. */
  public BufferedEntry asTier(StoreTier newTier) {
    return newTier == tier ? this : new BufferedEntry(key, head, entryId, headVersion, bodyCrc, newTier, body);
  }

  /** The shared read-only body buffer (position 0); callers must duplicate before moving it. */
  ByteBuffer sharedBody() {
    return body;
  }

  @Override
  public StoreKey key() {
    return key;
  }

  @Override
  public EntryHead head() {
    return head;
  }

  @Override
  public long entryId() {
    return entryId;
  }

  @Override
  public int headVersion() {
    return headVersion;
  }

  @Override
  public long bodyLength() {
    return body.limit();
  }

  @Override
  public int bodyChecksum() {
    return bodyCrc;
  }

  @Override
  public StoreTier tier() {
    return tier;
  }

  @Override
  public Optional<ByteBuffer> bodyBuffer() {
    checkOpen();
    return Optional.of(body.duplicate());
  }

  /** Releases the lease on a mapped body (if any); idempotent. */
  @Override
  public void close() {
    if (lease != null) {
      lease.close();
    }
  }

  /** True when this entry's body is a leased view of the disk tier's mapped file. */
  public boolean leased() {
    return lease != null;
  }

  private void checkOpen() {
    if (lease != null && lease.isClosed()) {
      throw new IllegalStateException("the lease on " + this + " was released; its body may no longer be read");
    }
  }

  @Override
  public InputStream openRange(long offset, long length) {
    checkOpen();
    checkRange(offset, length, body.limit());
    ByteBuffer view = body.duplicate();
    view.position((int) offset).limit((int) (offset + length));
    return new BufferInputStream(view);
  }

  @Override
  public void transferTo(long offset, long length, WritableByteChannel out) throws IOException {
    checkOpen();
    checkRange(offset, length, body.limit());
    ByteBuffer view = body.duplicate();
    view.position((int) offset).limit((int) (offset + length));
    while (view.hasRemaining()) {
      out.write(view);
    }
  }

  /** Rejects a range that is not inside a body of {@code bodyLength} bytes. */
  static void checkRange(long offset, long length, long bodyLength) {
    if (offset < 0 || length < 0 || offset > bodyLength || length > bodyLength - offset) {
      throw new IllegalArgumentException(
          "range [" + offset + ", +" + length + ") is not inside a body of " + bodyLength + " bytes");
    }
  }

  @Override
  public String toString() {
    return "BufferedEntry[" + key + ", id=" + entryId + ", v=" + headVersion + ", " + tier
        + (lease != null ? ", leased" : "") + "]";
  }

  /** An input stream over a buffer view. */
  static final class BufferInputStream extends InputStream {
    private final ByteBuffer view;

    BufferInputStream(ByteBuffer view) {
      this.view = Objects.requireNonNull(view);
    }

    @Override
    public int read() {
      return view.hasRemaining() ? view.get() & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      if (!view.hasRemaining()) {
        return -1;
      }
      int n = Math.min(len, view.remaining());
      view.get(b, off, n);
      return n;
    }

    @Override
    public long skip(long n) {
      int k = (int) Math.max(0, Math.min(n, view.remaining()));
      view.position(view.position() + k);
      return k;
    }

    @Override
    public int available() {
      return view.remaining();
    }
  }
}
