package dev.cachalot.store;

/** How a write ended. */
public enum WriteOutcome {
  /** The entry is stored and visible to lookups. */
  COMMITTED,
  /** The body exceeded the maximum object size, or the expected length did not match; nothing stored. */
  TOO_LARGE,
  /** No tier had room and none could make room; nothing stored. */
  NO_SPACE,
  /** The caller aborted the write (or closed it without committing); nothing stored. */
  ABORTED,
  /** A tier failed (I/O or internal error, counted and logged); nothing stored. */
  FAILED
}
