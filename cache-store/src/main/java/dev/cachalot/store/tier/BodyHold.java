package dev.cachalot.store.tier;

/**
 * What keeps a looked-up entry's body readable until the caller closes the entry: a disk lease
 * ({@link Leases.Lease}). (A hit on a memory-tier view holds its reference itself:
 * {@link BufferedEntry#hit()}.)
 */
interface BodyHold {
  /** Releases the hold once; further calls do nothing. */
  void close();

  /** True once released (the body must not be read any more). */
  boolean isClosed();
}
