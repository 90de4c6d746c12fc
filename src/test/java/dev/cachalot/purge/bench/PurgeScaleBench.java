package dev.cachalot.purge.bench;

import dev.cachalot.http.HttpDates;
import dev.cachalot.pipeline.PurgeGate;
import dev.cachalot.pipeline.StoreAdapter;
import dev.cachalot.policy.PolicyConfig;
import dev.cachalot.policy.RouteOverrides;
import dev.cachalot.policy.StoredResponse;
import dev.cachalot.purge.Ban;
import dev.cachalot.purge.BanKind;
import dev.cachalot.purge.BanList;
import dev.cachalot.purge.BanSweeper;
import dev.cachalot.purge.PurgeConfig;
import dev.cachalot.purge.PurgeMode;
import dev.cachalot.purge.PurgeService;
import dev.cachalot.store.EntryHead;
import dev.cachalot.store.EntryWriter;
import dev.cachalot.store.HeaderField;
import dev.cachalot.store.StoreConfig;
import dev.cachalot.store.StoreKey;
import dev.cachalot.store.StoredEntry;
import dev.cachalot.store.TieredCacheStore;
import dev.cachalot.testing.MutableClock;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Purge at scale, a benchmark program (not a test; run by hand):
 * <ol>
 *   <li>fills a real {@link TieredCacheStore} (Caffeine over Chronicle Map, in a temporary
 *       directory) with N tagged entries, all sharing the tag {@code all};</li>
 *   <li>purges tag {@code all} and reports how long until no purged entry is served: the purge
 *       call itself (ban appended and forced to disk), then a lookup + purge check of every entry;</li>
 *   <li>runs the sweeper pass that removes them from the store and retires the ban;</li>
 *   <li>reopens store and ban list (a restart after a second purge, before any sweep) and checks
 *       the purge still holds;</li>
 *   <li>measures the purge check on the lookup path (a tight loop over {@link PurgeGate#check}):
 *       with 0 bans, with 1,000 bans all older than the entry (the fast path), and for an entry
 *       older than 1,000 non-matching bans (the slow path), against a plain memory-tier lookup as
 *       the baseline. A tight loop on a shared machine, not JMH: read the ratios, not the ns.</li>
 * </ol>
 * Run: {@code mvn -B -q -o test-compile -pl cache-store,src -am}, then
 * {@code java -cp "src/target/test-classes:src/target/classes:$(cat cp.txt)" dev.cachalot.purge.bench.PurgeScaleBench [N]}
 * with the test class path in cp.txt ({@code mvn -o -q dependency:build-classpath -pl src -Dmdep.outputFile=cp.txt}).
 */
public final class PurgeScaleBench {
    private PurgeScaleBench() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        Path dir = Files.createTempDirectory("cachalot-purge-bench");
        // Moved by hand, so ban and entry times are ordered exactly.
        MutableClock clock = new MutableClock(Instant.parse("2026-11-25T12:00:00Z"));
        PolicyConfig policy = PolicyConfig.defaults();
        StoreConfig cfg = StoreConfig.builder().directory(dir).diskMaxBytes(2L << 30).maxObjectBytes(1L << 20)
                .diskMaxEntries(4 * n).build();
        TieredCacheStore store = TieredCacheStore.open(cfg, clock);
        long t = System.nanoTime();
        StoreKey[] keys = fill(store, clock, n);
        System.out.printf("fill: %,d entries in %.1f s%n", n, (System.nanoTime() - t) / 1e9);

        clock.advance(Duration.ofSeconds(1));
        PurgeService purge = service(store, policy, clock, dir);
        long t0 = System.nanoTime();
        Ban ban = purge.purgeBy(BanKind.TAG, "all", PurgeMode.HARD, "bench", "admin");
        long t1 = System.nanoTime();
        int served = 0;
        for (StoreKey k : keys) {
            StoredEntry e = store.lookup(k, clock.instant()).orElse(null);
            if (e != null && purge.gate().check(e, StoreAdapter.toStoredResponse(e), RouteOverrides.NONE)
                    == PurgeGate.Verdict.KEEP) {
                served++;
            }
        }
        long t2 = System.nanoTime();
        System.out.printf("purge tag=all (ban %d): call %.2f ms (append + fsync); then %,d lookups + checks in %.0f ms;"
                + " entries still served: %d%n", ban.id(), (t1 - t0) / 1e6, n, (t2 - t1) / 1e6, served);

        long t3 = System.nanoTime();
        BanSweeper.Pass pass = purge.sweeper().sweepOnce();
        System.out.printf("sweep: visited %,d, removed %,d, retired %d bans in %.0f ms%n", pass.visited(),
                pass.removed(), pass.retired().size(), (System.nanoTime() - t3) / 1e6);

        // Restart with a purge not yet swept.
        keys = fill(store, clock, n);
        clock.advance(Duration.ofSeconds(1));
        purge.purgeBy(BanKind.TAG, "even", PurgeMode.HARD, "bench", "admin");
        store.close();
        long t4 = System.nanoTime();
        store = TieredCacheStore.open(cfg, clock);
        purge = service(store, policy, clock, dir);
        long t5 = System.nanoTime();
        int wrong = 0;
        for (int i = 0; i < n; i++) {
            StoredEntry e = store.lookup(keys[i], clock.instant()).orElse(null);
            boolean kept = e != null && purge.gate().check(e, StoreAdapter.toStoredResponse(e), RouteOverrides.NONE)
                    == PurgeGate.Verdict.KEEP;
            if (kept == (i % 2 == 0)) {
                wrong++;
            }
        }
        System.out.printf("restart: reopened in %.0f ms, %d bans active, %,d lookups checked, wrong answers: %d%n",
                (t5 - t4) / 1e6, purge.bansActive(), n, wrong);

        overhead(store, policy, clock, dir, keys[1]);
        store.close();
    }

    private static PurgeService service(TieredCacheStore store, PolicyConfig policy, Clock clock, Path dir) {
        return new PurgeService(store, policy, a -> RouteOverrides.NONE, clock, BanList.open(dir, clock),
                PurgeConfig.DEFAULTS.tagHeaders());
    }

    private static StoreKey[] fill(TieredCacheStore store, MutableClock clock, int n) {
        StoreKey[] keys = new StoreKey[n];
        Instant now = clock.instant();
        byte[] body = new byte[512];
        for (int i = 0; i < n; i++) {
            keys[i] = StoreKey.of("https://shop.example/item/" + i);
            List<HeaderField> fs = List.of(new HeaderField("Date", HttpDates.format(now)),
                    new HeaderField("Cache-Control", "max-age=3600"),
                    new HeaderField("Surrogate-Key", "all item-" + i + " group-" + (i % 100) + (i % 2 == 0 ? " even" : "")));
            EntryHead head = new EntryHead(200, fs, now, now, now.plus(Duration.ofDays(1)));
            try (EntryWriter w = store.beginWrite(keys[i], head, body.length, now)) {
                w.append(ByteBuffer.wrap(body));
                w.commit(now);
            }
        }
        return keys;
    }

    /** ns per call of {@code op}, median of 7 rounds after 5 warm-up rounds. */
    private static double time(String name, Runnable op, int iterations) {
        double[] rounds = new double[7];
        for (int r = -5; r < rounds.length; r++) {
            long s = System.nanoTime();
            for (int i = 0; i < iterations; i++) {
                op.run();
            }
            double ns = (System.nanoTime() - s) / (double) iterations;
            if (r >= 0) {
                rounds[r] = ns;
            }
        }
        Arrays.sort(rounds);
        System.out.printf("  %-58s %8.1f ns/op (min %.1f, max %.1f)%n", name, rounds[3], rounds[0], rounds[6]);
        return rounds[3];
    }

    static volatile Object sink;

    private static void overhead(TieredCacheStore store, PolicyConfig policy, MutableClock clock, Path dir, StoreKey key)
            throws Exception {
        System.out.println("lookup-path purge check (tight loop, single thread):");
        // A fresh entry in the memory tier, fetched after every ban below except the "old entry" case.
        Path empty = Files.createTempDirectory("cachalot-purge-bench-bans");
        PurgeService none = service(store, policy, clock, empty);
        StoredEntry entry = store.lookup(key, clock.instant()).orElseThrow();
        for (int i = 0; i < 10 && !entry.tier().memory(); i++) {
            entry = store.lookup(key, clock.instant()).orElseThrow(); // promote after repeated hits
        }
        StoredEntry e = entry;
        StoredResponse view = StoreAdapter.toStoredResponse(e);
        Instant now = clock.instant();
        int it = 2_000_000;
        time("baseline: memory-tier lookup of the entry", () -> sink = store.memoryTier().get(e.key(), now), it);
        time("check, 0 bans", () -> sink = none.gate().check(e, view, RouteOverrides.NONE), it);
        Path many = Files.createTempDirectory("cachalot-purge-bench-bans");
        PurgeService thousand = service(store, policy, clock, many);
        clock.set(e.head().requestTime().minusSeconds(3600));
        for (int i = 0; i < 1000; i++) {
            thousand.purgeBy(i % 3 == 0 ? BanKind.TAG : i % 3 == 1 ? BanKind.HOST : BanKind.PREFIX,
                    i % 3 == 0 ? "nomatch-" + i : i % 3 == 1 ? "h" + i + ".example" : "https://h" + i + ".example/",
                    PurgeMode.HARD, "bench", "admin");
        }
        thousand.sweeper().close();
        clock.set(now);
        time("check, 1,000 bans all older than the entry (fast path)",
                () -> sink = thousand.gate().check(e, view, RouteOverrides.NONE), it);
        // The same bans, now newer than the entry: every lookup of it takes the slow path (key, tags, maps).
        Path later = Files.createTempDirectory("cachalot-purge-bench-bans");
        PurgeService newer = service(store, policy, clock, later);
        clock.set(e.head().requestTime().plusSeconds(1));
        for (int i = 0; i < 1000; i++) {
            newer.purgeBy(i % 3 == 0 ? BanKind.TAG : i % 3 == 1 ? BanKind.HOST : BanKind.PREFIX,
                    i % 3 == 0 ? "nomatch-" + i : i % 3 == 1 ? "h" + i + ".example" : "https://h" + i + ".example/",
                    PurgeMode.HARD, "bench", "admin");
        }
        clock.set(now);
        time("check, 1,000 non-matching bans newer than the entry (slow path)",
                () -> sink = newer.gate().check(e, view, RouteOverrides.NONE), it / 10);
    }
}
