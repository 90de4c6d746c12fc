package dev.cachalot.store;

/** Which tier an entry was served from. */
public enum StoreTier {
  /** The in-memory (Caffeine) tier: body held in an off-heap buffer. */
  MEMORY,
  /** The persistent (Chronicle Map) tier: body read from mapped files chunk by chunk. */
  DISK
}
