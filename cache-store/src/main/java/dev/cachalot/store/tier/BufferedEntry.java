package dev.cachalot.store.tier;

import dev.cachalot.store.BodyFile;
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
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * An entry whose whole body is held in one buffer (memory-tier entries, and small disk entries read
 * and verified at lookup). Reads never copy the buffer; each caller gets its own view.
 *
 * <p>Four kinds: a body of its own (an off-heap or heap copy; close does nothing); a view of the
 * disk tier's mapped file held by a {@link BodyHold} (a disk lease), released by {@link #close()};
 * the memory tier's own entry over a {@link MappedBody}, which is never handed out; and a hit on
 * such an entry ({@link #hit()}), which holds a reference of its own on the body, released by
 * {@link #close()}.
 */
public final class BufferedEntry implements StoredEntry {
  private static final AtomicIntegerFieldUpdater<BufferedEntry> REFERENCE =
      AtomicIntegerFieldUpdater.newUpdater(BufferedEntry.class, "reference");
  /** {@link #reference} of every entry but a hit on a mapped body. */
  private static final int NO_REFERENCE = 0;
  /** {@link #reference} of a hit on a mapped body until {@link #close()}. */
  private static final int HELD = 1;
  /** {@link #reference} of a hit on a mapped body once {@link #close()} released it. */
  private static final int RELEASED = 2;

  private final StoreKey key;
  private final EntryHead head;
  private final long entryId;
  private final int headVersion;
  private final int bodyCrc;
  private final StoreTier tier;
  private final ByteBuffer body;
  /** What keeps a view readable for this lookup (a disk lease), or null. */
  private final BodyHold hold;
  /** The memory-tier body this entry views (owner entries in Caffeine, and their hits), or null. */
  private final MappedBody mapped;
  /**
   * For a hit on a mapped body, its own reference on {@link #mapped} ({@link #HELD}, then
   * {@link #RELEASED}); {@link #NO_REFERENCE} for every other entry. A field of the hit rather than
   * an object of its own: a hit is made on every memory-tier lookup.
   */
  private volatile int reference;
  /** Where the body lies in the chunks file (views of the disk tier's chunk), or empty. */
  private final Optional<BodyFile> file;
  /** The disk tier's chunk this entry views, or null. */
  private final ChunkView chunk;

  /**
   * Creates the entry.
   *
   * @param body the body bytes from position 0 to limit; kept (read-only) and never modified
   */
  public BufferedEntry(StoreKey key, EntryHead head, long entryId, int headVersion, int bodyCrc,
      StoreTier tier, ByteBuffer body) {
    this(key, head, entryId, headVersion, bodyCrc, tier, body, null, null, null, NO_REFERENCE);
  }

  /** An entry whose body is a view of the disk tier's mapped file, valid while {@code hold} is held. */
  BufferedEntry(StoreKey key, EntryHead head, long entryId, int headVersion, int bodyCrc,
      StoreTier tier, ChunkView chunk, BodyHold hold) {
    this(key, head, entryId, headVersion, bodyCrc, tier, chunk.view, hold, null, chunk, NO_REFERENCE);
  }

  /** The memory tier's own entry over a mapped body (it owns one of the body's references). */
  static BufferedEntry mappedOwner(StoreKey key, EntryHead head, long entryId, int headVersion, int bodyCrc,
      MappedBody mapped) {
    return new BufferedEntry(key, head, entryId, headVersion, bodyCrc, StoreTier.MEMORY_MAPPED, mapped.view(),
        null, mapped, mapped.chunk(), NO_REFERENCE);
  }

  private BufferedEntry(StoreKey key, EntryHead head, long entryId, int headVersion, int bodyCrc,
      StoreTier tier, ByteBuffer body, BodyHold hold, MappedBody mapped, ChunkView chunk, int reference) {
    this.hold = hold;
    this.mapped = mapped;
    this.reference = reference;
    this.chunk = chunk;
    this.file = chunk == null ? Optional.empty() : chunk.file;
    this.key = key;
    this.head = head;
    this.entryId = entryId;
    this.headVersion = headVersion;
    this.bodyCrc = bodyCrc;
    this.tier = tier;
    this.body = body.isReadOnly() ? body : body.asReadOnlyBuffer();
  }

  /**
   * The same body and identity with another head and version (after a head replacement). For an
   * owner of a mapped body the new entry takes a reference of its own (the old one's is released
   * when Caffeine reports it replaced); null if the body's references are already gone.
   */
  public BufferedEntry withHead(EntryHead newHead, int newVersion) {
    if (mapped() != null) {
      return mapped.retain()
          ? new BufferedEntry(key, newHead, entryId, newVersion, bodyCrc, tier, body, null, mapped, chunk, NO_REFERENCE)
          : null;
    }
    return new BufferedEntry(key, newHead, entryId, newVersion, bodyCrc, tier, body);
  }

  /** The same entry as served by another tier (bodies of their own only). */
  public BufferedEntry asTier(StoreTier newTier) {
    return newTier == tier || mapped() != null ? this
        : new BufferedEntry(key, head, entryId, headVersion, bodyCrc, newTier, body);
  }

  /**
   * For the memory tier's owner of a mapped body: an entry for one hit (or walk visit) holding a
   * reference of its own, released by its {@link #close()}; null when the body's references are
   * gone (the entry was just dropped: a miss). For any other entry: this entry.
   */
  BufferedEntry hit() {
    if (mapped() == null) {
      return this;
    }
    if (!mapped.retain()) {
      return null;
    }
    return new BufferedEntry(key, head, entryId, headVersion, bodyCrc, tier, body, null, mapped, chunk, HELD);
  }

  /** What keeps this lookup's view readable when it is a disk lease, or null. */
  BodyHold hold() {
    return hold;
  }

  /**
   * The memory-tier body this owner entry holds a reference on, or null (a body of its own, or a
   * hit: its reference is released by its {@link #close()}).
   */
  MappedBody mapped() {
    return reference == NO_REFERENCE ? mapped : null;
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
    return Optional.of(bodyBufferOrNull());
  }

  @Override
  public ByteBuffer bodyBufferOrNull() {
    checkOpen();
    return body.duplicate();
  }

  @Override
  public Optional<BodyFile> bodyFile() {
    checkOpen();
    return file;
  }

  /** The shared view and file region of a disk view entry (for the memory tier to share), or null. */
  ChunkView chunkView() {
    return chunk;
  }

  /** Releases the hold on a mapped body (if any); idempotent. */
  @Override
  public void close() {
    if (hold != null) {
      hold.close();
    } else if (reference == HELD && REFERENCE.compareAndSet(this, HELD, RELEASED)) {
      mapped.release();
    }
  }

  /**
   * True when this entry's body is a view of the disk tier's mapped file held for this lookup (a
   * disk lease, or a reference on a memory-tier view), released by {@link #close()}.
   */
  public boolean leased() {
    return hold != null || reference != NO_REFERENCE;
  }

  private void checkOpen() {
    if ((hold != null && hold.isClosed()) || reference == RELEASED) {
      throw new IllegalStateException("the hold on " + this + " was released; its body may no longer be read");
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
        + (leased() ? ", leased" : "") + "]";
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
