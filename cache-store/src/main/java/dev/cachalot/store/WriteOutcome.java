package dev.cachalot.store;

/** How a write ended. */
public enum WriteOutcome {
  /** The entry is stored and visible to lookups (on disk, when the store has a disk tier). */
  COMMITTED,
  /**
   * The entry is stored and visible, but only in the memory tier of a store that has a disk tier:
   * the disk write failed or found no room. It does not survive a restart or a memory eviction; the
   * key's previous disk entry was removed, so it cannot come back instead. Counted in
   * {@link StoreStats#memoryOnlyCommits()}.
   */
  COMMITTED_MEMORY_ONLY,
  /** The body exceeded the maximum object size, or the expected length did not match; nothing stored. */
  TOO_LARGE,
  /** No tier had room and none could make room; nothing stored. */
  NO_SPACE,
  /** The caller aborted the write (or closed it without committing); nothing stored. */
  ABORTED,
  /** A tier failed (I/O or internal error, counted and logged); nothing stored. */
  FAILED;

  /** True for the outcomes that stored the entry: {@link #COMMITTED}, {@link #COMMITTED_MEMORY_ONLY}. */
  public boolean stored() {
    return this == COMMITTED || this == COMMITTED_MEMORY_ONLY;
  }
}
