package dev.cachalot.store.tier;

import dev.cachalot.store.BodyFile;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.zip.CRC32C;

/**
 * Read-only views of chunk values in {@code chunks.cm3} through the JDK's own mapping of the file.
 *
 * <p>Chronicle Map maps its file with raw addresses ({@code OS.map}) and unmaps them when the map is
 * closed; a buffer over such an address that outlived the map would crash the JVM when read. So
 * the views handed out here come from a second, read-only {@link FileChannel#map} of the same file
 * (both mappings are shared, so they see the same page-cache pages and every write Chronicle makes).
 * A JDK mapping is released only when no buffer refers to it any more: a view can never point at
 * unmapped memory, whatever the tier does meanwhile. What keeps its <em>bytes</em> right is the
 * lease ({@link Leases}): Chronicle never moves an entry it does not resize, chunks are written once
 * and never updated, so their bytes stay put until the chunk is removed, which a lease defers.
 *
 * <p>Chronicle gives a value's address; its file offset is the address minus the base address of
 * the map's main mapping, which starts at file offset 0 and covers every segment's first tier
 * ({@code sizeInBytesWithoutTiers}). Values in extra tiers (separate mappings, used only when a
 * segment overflows its sized capacity) are not translated: the caller copies them instead. The file
 * is mapped in windows of 1 GiB (each extended by the largest value, so a value starting in a
 * window ends in it), on first use.
 *
 * <p>Each view comes with its file region ({@link ChunkView#file}) on the same read channel, so the
 * proxy can send the body with {@code sendfile} without ever reading the view, and
 * {@link #verify} checks a chunk's CRC32C by reading the file ({@code pread}) rather than the
 * mapping: either way the page-cache pages of the body never enter the process's RSS.
 */
final class ChunkWindows implements AutoCloseable {
  private static final long WINDOW = 1L << 30;
  /** Bytes of the per-thread buffer {@link #verify} reads through (a chunk is read in several pieces). */
  private static final int VERIFY_BUFFER = 16 * 1024;

  private final FileChannel channel;
  private final long baseAddress;
  private final long mainSize;
  private final int maxValue;
  private final boolean regions;
  private final AtomicReferenceArray<MappedByteBuffer> windows;
  /** Per-thread buffer for {@link #verify} (small: every thread that checks a first read has one). */
  private final ThreadLocal<ByteBuffer> verifyBuffers;

  /**
   * @param file the chunks file
   * @param baseAddress Chronicle's address of file offset 0 (its main mapping)
   * @param mainSize bytes of the main mapping that hold first-tier entries
   * @param maxValue largest value (chunk payload + CRC) in bytes
   * @param regions whether views carry their file region ({@code cache.disk.sendfile})
   */
  ChunkWindows(Path file, long baseAddress, long mainSize, int maxValue, boolean regions) throws IOException {
    this.regions = regions;
    this.channel = FileChannel.open(file, StandardOpenOption.READ);
    this.baseAddress = baseAddress;
    this.mainSize = Math.min(mainSize, channel.size());
    this.maxValue = maxValue;
    this.windows = new AtomicReferenceArray<>((int) (this.mainSize / WINDOW) + 1);
    this.verifyBuffers = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(Math.min(maxValue, VERIFY_BUFFER)));
  }

  /**
   * A read-only view of {@code length} bytes at Chronicle address {@code address} with its file
   * region, or null when the address is outside the main mapping (the caller copies instead).
   */
  ChunkView view(long address, int length) throws IOException {
    long offset = address - baseAddress;
    if (offset < 0 || length > maxValue || offset + length > mainSize) {
      return null;
    }
    int w = (int) (offset / WINDOW);
    MappedByteBuffer m = windows.get(w);
    if (m == null) {
      long start = w * WINDOW;
      long size = Math.min(mainSize - start, WINDOW + maxValue);
      synchronized (this) {
        m = windows.get(w);
        if (m == null) {
          m = channel.map(FileChannel.MapMode.READ_ONLY, start, size);
          windows.set(w, m);
        }
      }
    }
    return new ChunkView(m.slice((int) (offset - w * WINDOW), length).asReadOnlyBuffer(), offset,
        regions ? new BodyFile(channel, offset, length) : null);
  }

  /**
   * True when the bytes of {@code chunk} have CRC32C {@code crc}, read with positional reads
   * into a per-thread buffer (not through the mapping, so no page of it becomes resident here).
   */
  boolean verify(ChunkView chunk, int crc) throws IOException {
    ByteBuffer b = verifyBuffers.get();
    BodyFile region = chunk.file.orElseGet(() -> new BodyFile(channel, chunk.offset, chunk.view.limit()));
    CRC32C c = new CRC32C();
    for (long pos = 0; pos < region.length(); pos += b.limit()) {
      b.clear().limit((int) Math.min(b.capacity(), region.length() - pos));
      try {
        region.read(pos, b);
      } catch (EOFException e) {
        return false; // the file ends before the region: not the stored bytes
      }
      c.update(b.flip());
    }
    return (int) c.getValue() == crc;
  }

  /** Closes the channel; mappings stay valid while views of them are referenced. */
  @Override
  public void close() throws IOException {
    channel.close();
  }
}
