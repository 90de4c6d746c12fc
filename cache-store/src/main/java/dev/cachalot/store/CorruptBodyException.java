package dev.cachalot.store;

import java.io.IOException;

/** Thrown while reading a body whose bytes fail their checksum; the entry is already dropped. */
public final class CorruptBodyException extends IOException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message naming the entry and the failed check. */
  public CorruptBodyException(String message) {
    super(message);
  }
}
