package dev.cachalot.store.tier;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The lease table of the disk tier: a reference count per entry id, so the chunks of an entry that
 * a reader still holds are freed only after its last lease is released.
 *
 * <p>Protocol. A reader {@link #acquire}s before it trusts the chunks of an entry it found under a
 * head; removal ({@link #free}) runs after the head edit that dropped the entry. An entry being
 * freed is marked <em>doomed</em> in the table for the whole time its chunks are removed, so an
 * acquire can never slip in between: it either comes first (and the free is deferred to the last
 * release) or sees the mark and fails (the reader then misses). An acquire after the free completed
 * succeeds, but finds no chunks (entry ids are never reused), which the reader sees as a miss. So a
 * held lease means: the chunks it found stay where they are, with the same bytes, until release.
 *
 * <p>Leaks. A lease never released keeps its entry's chunks on disk (if the entry was removed) until
 * the tier is closed; the next start reclaims them as orphans. {@link #outstanding()} and the
 * deferred counters make such leaks visible; the tier counts the leases still held at close.
 */
final class Leases {
  /** Per entry id: lease count and whether the entry's chunks are to be (or being) freed. */
  private static final class Count {
    int refs;
    boolean doomed;
    /** No longer in the table: an acquirer that raced with the removal must look again. */
    boolean detached;
    Runnable deferredFree;
  }

  private final ConcurrentHashMap<Long, Count> table = new ConcurrentHashMap<>();
  private final AtomicLong outstanding = new AtomicLong();
  private final LongAdder acquired = new LongAdder();
  private final LongAdder deferred = new LongAdder();
  private final LongAdder deferredDone = new LongAdder();
  private final Object drained = new Object();

  /**
   * Takes a lease on {@code entryId}; false when its chunks are being (or were deferred to be)
   * freed. The returned lease must be {@link Lease#close() closed}.
   */
  Lease acquire(long entryId) {
    while (true) {
      Count c = table.computeIfAbsent(entryId, k -> new Count());
      synchronized (c) {
        if (c.detached) {
          continue;
        }
        if (c.doomed) {
          return null;
        }
        c.refs++;
      }
      outstanding.incrementAndGet();
      acquired.increment();
      return new Lease(this, entryId);
    }
  }

  /** Called once per lease by {@link Lease#close()}. */
  private void release(long entryId) {
    Count c = table.get(entryId);
    Runnable free = null;
    if (c != null) {
      synchronized (c) {
        c.refs--;
        if (c.refs > 0) {
          c = null;
        } else if (!c.doomed) {
          c.detached = true;
          table.remove(entryId, c);
          c = null;
        } else {
          free = c.deferredFree;
          c.deferredFree = null;
        }
      }
    }
    if (free != null) {
      try {
        free.run();
      } finally {
        deferredDone.increment();
        detach(entryId, c);
      }
    }
    if (outstanding.decrementAndGet() == 0) {
      synchronized (drained) {
        drained.notifyAll();
      }
    }
  }

  /**
   * Frees an entry's chunks with {@code free} now, or, while leases on it are held, when the last
   * one is released. Called after the head edit that removed the entry; at most once per id
   * matters (a second call while the first is pending is ignored).
   */
  void free(long entryId, Runnable free) {
    while (true) {
      Count c = table.computeIfAbsent(entryId, k -> new Count());
      synchronized (c) {
        if (c.detached) {
          continue;
        }
        if (c.doomed) {
          return;
        }
        c.doomed = true;
        if (c.refs > 0) {
          c.deferredFree = free;
          deferred.increment();
          return;
        }
      }
      try {
        free.run();
      } finally {
        detach(entryId, c);
      }
      return;
    }
  }

  private void detach(long entryId, Count c) {
    synchronized (c) {
      c.detached = true;
    }
    table.remove(entryId, c);
  }

  /** Leases currently held. */
  long outstanding() {
    return outstanding.get();
  }

  /** Leases taken since start. */
  long acquired() {
    return acquired.sum();
  }

  /** Frees that had to wait for a lease (since start). */
  long deferred() {
    return deferred.sum();
  }

  /** Deferred frees that have run. */
  long deferredDone() {
    return deferredDone.sum();
  }

  /**
   * Waits until no lease is held or {@code millis} passed; true when none is held. Used by close,
   * which must not block forever on a leaked lease.
   */
  boolean awaitDrained(long millis) throws InterruptedException {
    long deadline = System.nanoTime() + millis * 1_000_000L;
    synchronized (drained) {
      while (outstanding.get() > 0) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          return false;
        }
        drained.wait(left);
      }
      return true;
    }
  }

  /** One lease on one entry id; {@link #close()} releases it once (further calls do nothing). */
  static final class Lease implements AutoCloseable, BodyHold {
    private static final AtomicIntegerFieldUpdater<Lease> CLOSED =
        AtomicIntegerFieldUpdater.newUpdater(Lease.class, "closed");
    private final Leases owner;
    private final long entryId;
    private volatile int closed;

    private Lease(Leases owner, long entryId) {
      this.owner = owner;
      this.entryId = entryId;
    }

    /** The table this lease belongs to. */
    Leases owner() {
      return owner;
    }

    /** True once released. */
    @Override
    public boolean isClosed() {
      return closed != 0;
    }

    @Override
    public void close() {
      if (CLOSED.compareAndSet(this, 0, 1)) {
        owner.release(entryId);
      }
    }
  }
}
