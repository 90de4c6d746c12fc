package dev.cachalot.purge;

import dev.cachalot.pipeline.PurgeGate;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live purge state the lookup check reads: the active bans (persisted in the cache directory
 * when there is one, {@link BanLog}), the recent purges by exact URL (in memory only: they acted
 * on the store at once and are kept just long enough to catch a fill that was streaming while
 * they ran), and the origin fetches in flight, which decide when a purge may be forgotten.
 *
 * <p>A purge may be forgotten once no fetch that started before it is still open: a fetch
 * registers (and takes its clock reading) under the same monitor that the retirement reads the
 * oldest open fetch under, so a fetch that is not yet registered will send its request after the
 * purge and cannot bring back what the purge removed.
 */
public final class BanList {
    private static final Logger LOG = LoggerFactory.getLogger(BanList.class);

    private final BanLog log;
    private final InstantSource clock;
    private volatile BanIndex index;
    private long nextId;
    private final int corruptLines;
    private volatile boolean persistFailed;
    /** Recent purges by exact URL: cache key -> its newest hard and soft purge times. */
    private final ConcurrentHashMap<String, UrlPurge> recentUrls = new ConcurrentHashMap<>();
    /** Open fetches: start instant -> how many started then. */
    private final TreeMap<Instant, Integer> openFills = new TreeMap<>();

    /** The newest hard and soft purge of one URL (null: none of that mode). */
    record UrlPurge(Instant hard, Instant soft) {
        UrlPurge plus(PurgeMode mode, Instant t) {
            return mode == PurgeMode.HARD ? new UrlPurge(t, soft) : new UrlPurge(hard, t);
        }

        Instant newest() {
            return hard == null ? soft : soft == null ? hard : hard.isAfter(soft) ? hard : soft;
        }
    }

    private BanList(BanLog log, InstantSource clock, List<Ban> loaded, int corruptLines) {
        this.log = log;
        this.clock = clock;
        this.index = new BanIndex(loaded);
        long max = 0;
        for (Ban b : loaded) {
            max = Math.max(max, b.id());
        }
        this.nextId = max + 1;
        this.corruptLines = corruptLines;
    }

    /** A ban list that lives in memory only (a memory-only store, which a restart empties anyway). */
    public static BanList inMemory(InstantSource clock) {
        return new BanList(null, clock, List.of(), 0);
    }

    /**
     * Opens the ban list persisted in {@code cacheDirectory} (created on the first ban). A damaged
     * file is reported and ignored, never a failure (see {@link BanLog}).
     */
    public static BanList open(Path cacheDirectory, InstantSource clock) {
        BanLog log = new BanLog(cacheDirectory);
        BanLog.Loaded l = log.load();
        if (!l.bans().isEmpty()) {
            LOG.info("{} purge bans loaded from {}", l.bans().size(), log.file());
        }
        return new BanList(log, clock, l.bans(), l.corruptLines());
    }

    /** The current snapshot of the active bans. */
    BanIndex index() {
        return index;
    }

    /**
     * Records a ban, made now. It is persisted before this returns; if writing the file fails the
     * ban still applies until the next restart (logged, and reported by {@link #persistFailed}).
     */
    synchronized Ban add(BanKind kind, String value, PurgeMode mode) {
        Ban b = new Ban(nextId++, kind, value, mode, clock.instant());
        if (log != null) {
            try {
                log.append(b);
            } catch (IOException e) {
                persistFailed = true;
                LOG.error("ban {} could not be written to {} ({}); it applies until the next restart only",
                        BanLog.encode(b), log.file(), e.toString());
            }
        }
        index = index.with(b);
        return b;
    }

    /** Records a purge by exact URL (its cache key), made now; called before the store is purged. */
    void urlPurged(String key, PurgeMode mode) {
        Instant t = clock.instant();
        recentUrls.compute(key, (k, old) -> (old == null ? new UrlPurge(null, null) : old).plus(mode, t));
    }

    /** The recent purges of one URL, or null (cheap when there are none). */
    UrlPurge recentUrlPurge(String key) {
        return recentUrls.isEmpty() ? null : recentUrls.get(key);
    }

    /** True when no recent URL purge is remembered. */
    boolean noRecentUrlPurges() {
        return recentUrls.isEmpty();
    }

    /** Registers an origin fetch (see the class comment). */
    PurgeGate.FillTicket fillStarting() {
        Instant t;
        synchronized (openFills) {
            t = clock.instant();
            openFills.merge(t, 1, Integer::sum);
        }
        AtomicBoolean open = new AtomicBoolean(true);
        return () -> {
            if (open.compareAndSet(true, false)) {
                synchronized (openFills) {
                    openFills.computeIfPresent(t, (k, n) -> n == 1 ? null : n - 1);
                }
            }
        };
    }

    /** The start of the oldest open fetch, or null when none is open. */
    Instant oldestOpenFill() {
        synchronized (openFills) {
            return openFills.isEmpty() ? null : openFills.firstKey();
        }
    }

    /** True when no fetch that started before {@code t} is still open. */
    boolean noFillOlderThan(Instant t) {
        Instant oldest = oldestOpenFill();
        return oldest == null || !oldest.isBefore(t);
    }

    /** Forgets the URL purges no open fetch can predate any more; returns how many. */
    int forgetOldUrlPurges() {
        int n = 0;
        for (Map.Entry<String, UrlPurge> e : recentUrls.entrySet()) {
            if (noFillOlderThan(e.getValue().newest()) && recentUrls.remove(e.getKey(), e.getValue())) {
                n++;
            }
        }
        return n;
    }

    /**
     * Retires bans the sweeper has applied to every stored entry (those no open fetch predates)
     * and rewrites the file without them. Returns the bans retired.
     */
    synchronized List<Ban> retire(List<Ban> applied) {
        Set<Long> ids = new HashSet<>();
        List<Ban> retired = new java.util.ArrayList<>();
        for (Ban b : applied) {
            if (noFillOlderThan(b.time())) {
                ids.add(b.id());
                retired.add(b);
            }
        }
        if (ids.isEmpty()) {
            return List.of();
        }
        BanIndex next = index.without(ids);
        if (log != null) {
            try {
                log.rewrite(next.bans());
            } catch (IOException e) {
                // The file keeps the retired bans: they are applied again (harmlessly) after a restart.
                LOG.warn("could not rewrite {} after retiring {} bans: {}", log.file(), ids.size(), e.toString());
            }
        }
        index = next;
        return retired;
    }

    /** Damaged lines found when the file was loaded. */
    public int corruptLines() {
        return corruptLines;
    }

    /** True when writing a ban to the file failed since start. */
    public boolean persistFailed() {
        return persistFailed;
    }

    /** Active bans. */
    public int active() {
        return index.bans().size();
    }

    /** Recent URL purges still remembered. */
    public int recentUrlPurges() {
        return recentUrls.size();
    }
}
