package dev.cachalot.store;

/** Layout of a disk chunk key: entry id in the high bits, chunk index in the low bits. */
public final class ChunkKeys {
  /** Bits of the chunk index (up to 2^20 chunks per body). */
  public static final int INDEX_BITS = 20;
  /** Largest entry id that fits. */
  public static final long MAX_ENTRY_ID = (1L << (63 - INDEX_BITS)) - 1;

  private ChunkKeys() {}

  /** The chunk key of chunk {@code index} of entry {@code entryId}. */
  public static long of(long entryId, int index) {
    return (entryId << INDEX_BITS) | index;
  }

  /** The entry id part of a chunk key. */
  public static long entryId(long chunkKey) {
    return chunkKey >>> INDEX_BITS;
  }

  /** The chunk index part of a chunk key. */
  public static int index(long chunkKey) {
    return (int) (chunkKey & ((1L << INDEX_BITS) - 1));
  }
}
