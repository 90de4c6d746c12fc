package dev.cachalot.store.tier;

import dev.cachalot.store.BodyFile;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * A single-chunk body in the disk tier's chunks file, two ways: a read-only view through the JDK
 * mapping ({@link #view}, position 0; callers duplicate before moving it) and the same bytes as a
 * file region ({@link #file}) for sending with {@code sendfile}. Making one touches no page; only
 * reading the view does (and then the pages count in the process's RSS).
 */
final class ChunkView {
  final ByteBuffer view;
  /** File offset of the body's first byte. */
  final long offset;
  /** The file region handed out ({@code cache.disk.sendfile}), or empty. */
  final Optional<BodyFile> file;

  /** A view at file offset {@code offset}, with its file region ({@code file} null when not handed out). */
  ChunkView(ByteBuffer view, long offset, BodyFile file) {
    this.view = view.isReadOnly() ? view : view.asReadOnlyBuffer();
    this.offset = offset;
    this.file = Optional.ofNullable(file);
  }
}
