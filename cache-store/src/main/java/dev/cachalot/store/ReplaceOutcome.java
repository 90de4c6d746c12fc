package dev.cachalot.store;

/** How a compare-and-swap head replacement ended. */
public enum ReplaceOutcome {
  /** The head was replaced; the entry's head version went up by one. */
  REPLACED,
  /** No entry under the key (never stored, removed, evicted or expired). */
  NOT_FOUND,
  /** An entry exists but with another entry id or head version: someone changed it first. */
  CONFLICT,
  /** A tier failed (counted and logged); the stored head is unchanged or the entry was dropped. */
  FAILED
}
