package dev.cachalot.store;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** A mutable clock for tests: time moves only when the test advances it. */
public final class TestClock implements InstantSource {
  private volatile Instant now;

  public TestClock(Instant start) {
    this.now = start;
  }

  public TestClock() {
    this(Instant.parse("2026-11-25T12:00:00Z"));
  }

  @Override
  public Instant instant() {
    return now;
  }

  public Instant now() {
    return now;
  }

  public void advance(Duration d) {
    now = now.plus(d);
  }
}
