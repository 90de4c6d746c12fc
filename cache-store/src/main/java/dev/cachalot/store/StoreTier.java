package dev.cachalot.store;

/** Which tier an entry was served from. */
public enum StoreTier {
  /** The in-memory (Caffeine) tier: body held in an off-heap buffer of its own. */
  MEMORY,
  /**
   * The in-memory (Caffeine) tier, whose entry's body is a read-only view of the disk tier's mapped
   * chunk file ({@link MemoryBodies#MAPPED}: one copy of the body in RAM, the page cache). Such an
   * entry holds a reference on the body that {@link StoredEntry#close()} releases, like a disk
   * entry's lease: callers that skip closing memory entries must close this kind.
   */
  MEMORY_MAPPED,
  /** The persistent (Chronicle Map) tier: body read from mapped files chunk by chunk. */
  DISK;

  /** True for both memory-tier kinds. */
  public boolean memory() {
    return this != DISK;
  }
}
