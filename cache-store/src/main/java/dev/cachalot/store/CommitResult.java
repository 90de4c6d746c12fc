package dev.cachalot.store;

import java.util.Optional;

/**
 * The result of {@link EntryWriter#commit}: the outcome and, when committed, the stored entry.
 *
 * @param outcome how the write ended
 * @param entry the committed entry, or null unless the outcome {@link WriteOutcome#stored() stored} it
 */
public record CommitResult(WriteOutcome outcome, StoredEntry entry) {
  /** Checks that an entry is present exactly when committed. */
  public CommitResult {
    if (outcome == null || outcome.stored() != (entry != null)) {
      throw new IllegalArgumentException("entry must be present exactly when stored: " + outcome);
    }
  }

  /** A result for a write that stored nothing. */
  public static CommitResult notStored(WriteOutcome outcome) {
    return new CommitResult(outcome, null);
  }

  /**
   * True when the entry is stored and visible ({@link WriteOutcome#COMMITTED} or
   * {@link WriteOutcome#COMMITTED_MEMORY_ONLY}).
   */
  public boolean committed() {
    return outcome.stored();
  }

  /** True when the entry is stored as durably as the store can: not {@link WriteOutcome#COMMITTED_MEMORY_ONLY}. */
  public boolean durable() {
    return outcome == WriteOutcome.COMMITTED;
  }

  /** The committed entry, if any. */
  public Optional<StoredEntry> stored() {
    return Optional.ofNullable(entry);
  }
}
