package dev.cachalot.purge;

import dev.cachalot.pipeline.PurgeGate.Verdict;
import dev.cachalot.pipeline.StoreAdapter;
import dev.cachalot.policy.RouteOverrides;
import dev.cachalot.policy.StoredResponse;
import dev.cachalot.store.CacheStore;
import dev.cachalot.store.EntryHead;
import dev.cachalot.store.ReplaceOutcome;
import dev.cachalot.store.StoredEntry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background half of purge by tag, prefix and host: walks every stored entry, applies the
 * active bans to it for good (removes it, or writes the stale times into its head), and then
 * retires the bans that were active when the walk began, since no entry stored before them is
 * left unchecked; the ban list thus stays short and the lookup check cheap. Bans an open origin
 * fetch predates wait for the next walk (that fetch may still commit an old response). Also
 * forgets the recent URL purges no open fetch predates.
 */
public final class BanSweeper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BanSweeper.class);
    /** Compare-and-swap attempts when making one entry stale. */
    private static final int CAS_ATTEMPTS = 3;

    private final CacheStore store;
    private final BanList bans;
    private final BanGate gate;
    private final Function<String, RouteOverrides> overridesByAuthority;
    private final InstantSource clock;
    private final AtomicLong passes = new AtomicLong();
    private final AtomicLong removed = new AtomicLong();
    private final AtomicLong staled = new AtomicLong();
    private final AtomicLong retired = new AtomicLong();
    private volatile ScheduledExecutorService executor;

    /** What one walk did. */
    public record Pass(long visited, long removed, long staled, boolean complete, List<Ban> retired) {}

    BanSweeper(CacheStore store, BanList bans, BanGate gate, Function<String, RouteOverrides> overridesByAuthority,
               InstantSource clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.bans = Objects.requireNonNull(bans, "bans");
        this.gate = Objects.requireNonNull(gate, "gate");
        this.overridesByAuthority = Objects.requireNonNull(overridesByAuthority, "overridesByAuthority");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Runs {@link #sweepOnce} every {@code interval} on a daemon thread until closed. */
    public synchronized BanSweeper start(Duration interval) {
        if (executor == null) {
            executor = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "cachalot-ban-sweeper");
                t.setDaemon(true);
                return t;
            });
            long ms = Math.max(1, interval.toMillis());
            executor.scheduleWithFixedDelay(this::sweepQuietly, ms, ms, TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /** Asks the started sweeper for a walk now (a new ban); no effect when not started. */
    void soon() {
        ScheduledExecutorService ex = executor;
        if (ex != null) {
            try {
                ex.execute(this::sweepQuietly);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closing
            }
        }
    }

    private void sweepQuietly() {
        try {
            sweepOnce();
        } catch (RuntimeException e) {
            LOG.warn("ban sweep failed; it runs again later", e);
        }
    }

    /** One walk over the store (nothing to do when no ban is active). */
    public synchronized Pass sweepOnce() {
        bans.forgetOldUrlPurges();
        BanIndex index = bans.index();
        if (index.isEmpty()) {
            return new Pass(0, 0, 0, true, List.of());
        }
        long[] counts = new long[3]; // visited, removed, staled
        boolean[] complete = {true};
        store.forEachEntry(clock.instant(), e -> {
            counts[0]++;
            Ban b = gate.banFor(e, index);
            if (b != null) {
                switch (apply(e, b)) {
                    case REMOVED -> counts[1]++;
                    case STALE -> counts[2]++;
                    case FAILED -> complete[0] = false;
                    case UNCHANGED -> { }
                    default -> throw new IllegalStateException();
                }
            }
            return true;
        });
        passes.incrementAndGet();
        removed.addAndGet(counts[1]);
        staled.addAndGet(counts[2]);
        List<Ban> done = complete[0] ? bans.retire(index.bans()) : List.of();
        retired.addAndGet(done.size());
        if (!done.isEmpty() || counts[1] + counts[2] > 0) {
            LOG.info("ban sweep: {} entries visited, {} removed, {} made stale, {} bans retired, {} active",
                    counts[0], counts[1], counts[2], done.size(), bans.active());
        }
        return new Pass(counts[0], counts[1], counts[2], complete[0], done);
    }

    private enum Applied { REMOVED, STALE, UNCHANGED, FAILED }

    private Applied apply(StoredEntry e, Ban b) {
        if (b.mode() == PurgeMode.HARD) {
            // An entry held by both tiers is visited twice; only the first visit removes it.
            return store.remove(e.key()) ? Applied.REMOVED : Applied.UNCHANGED;
        }
        RouteOverrides o = overridesByAuthority.apply(BanTargets.authorityOf(BanGate.keyOf(e)));
        StoredEntry current = e;
        for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
            StoredResponse view = StoreAdapter.toStoredResponse(current);
            Verdict v = gate.verdict(PurgeMode.SOFT, b.time(), view, o);
            if (v == Verdict.REMOVE) {
                return store.remove(current.key()) ? Applied.REMOVED : Applied.UNCHANGED;
            }
            StoredResponse stale = ((Verdict.Stale) v).view();
            if (stale == view) {
                return Applied.UNCHANGED; // already stale as of the ban
            }
            EntryHead h = current.head();
            ReplaceOutcome r = store.replaceHead(current, h.withTimes(stale.requestTime(), stale.responseTime(),
                    h.retainUntil()), clock.instant());
            switch (r) {
                case REPLACED:
                    return Applied.STALE;
                case NOT_FOUND:
                    return Applied.UNCHANGED;
                case FAILED:
                    return Applied.FAILED;
                default:
                    break; // CONFLICT: changed meanwhile; look at the new version
            }
            Optional<StoredEntry> again = store.lookup(current.key(), clock.instant());
            if (again.isEmpty()) {
                return Applied.UNCHANGED;
            }
            current = again.get();
            current.close(); // only its head and identity are used: no body lease is kept
            Ban still = gate.banFor(current, BanIndex.EMPTY.with(b));
            if (still == null) {
                return Applied.UNCHANGED; // replaced by a response fetched after the ban
            }
        }
        return Applied.FAILED;
    }

    /** Walks done since start. */
    public long passes() {
        return passes.get();
    }

    /** Entries removed by walks since start. */
    public long removed() {
        return removed.get();
    }

    /** Entries made stale by walks since start. */
    public long staled() {
        return staled.get();
    }

    /** Bans retired since start. */
    public long retired() {
        return retired.get();
    }

    @Override
    public synchronized void close() {
        ScheduledExecutorService ex = executor;
        executor = null;
        if (ex != null) {
            ex.shutdownNow();
            try {
                ex.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
