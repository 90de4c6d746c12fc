package dev.cachalot.purge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.http.HttpDates;
import dev.cachalot.pipeline.PurgeGate;
import dev.cachalot.pipeline.StoreAdapter;
import dev.cachalot.policy.Freshness;
import dev.cachalot.policy.PolicyConfig;
import dev.cachalot.policy.RouteOverrides;
import dev.cachalot.store.EntryHead;
import dev.cachalot.store.EntryWriter;
import dev.cachalot.store.HeaderField;
import dev.cachalot.store.StoreConfig;
import dev.cachalot.store.StoreKey;
import dev.cachalot.store.StoredEntry;
import dev.cachalot.store.TieredCacheStore;
import dev.cachalot.testing.MutableClock;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bans against the real tiered store (memory over Chronicle Map) across restarts: a purge by tag
 * still holds after the store and the ban list are reopened, whether or not the sweeper ran
 * before; the store walk sees every entry of both tiers.
 */
class PurgeRestartTest {
    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");
    private static final int ENTRIES = 600;

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);
    private final PolicyConfig policy = PolicyConfig.defaults();
    private TieredCacheStore store;

    private void open() throws Exception {
        store = TieredCacheStore.open(StoreConfig.builder().directory(dir).diskMaxBytes(64L << 20)
                .maxObjectBytes(1L << 20).diskMaxEntries(10_000).build(), clock);
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    private PurgeService service() {
        return new PurgeService(store, policy, a -> RouteOverrides.NONE, clock, BanList.open(dir, clock),
                PurgeConfig.DEFAULTS.tagHeaders());
    }

    private static StoreKey key(int i) {
        return StoreKey.of("http://shop.example/item/" + i);
    }

    /** Stores ENTRIES entries fetched now: even ones tagged "even", all tagged "all" and "item-i". */
    private void fill() {
        Instant now = clock.instant();
        for (int i = 0; i < ENTRIES; i++) {
            List<HeaderField> fs = List.of(new HeaderField("Date", HttpDates.format(now)),
                    new HeaderField("Cache-Control", "max-age=3600"), new HeaderField("ETag", "\"" + i + "\""),
                    new HeaderField("Surrogate-Key", (i % 2 == 0 ? "even " : "") + "all item-" + i));
            EntryHead head = new EntryHead(200, fs, now, now, now.plus(Duration.ofDays(1)));
            byte[] body = ("body " + i).getBytes(StandardCharsets.UTF_8);
            try (EntryWriter w = store.beginWrite(key(i), head, body.length, now)) {
                w.append(ByteBuffer.wrap(body));
                assertTrue(w.commit(now).committed());
            }
        }
    }

    private PurgeGate.Verdict verdict(PurgeService s, int i) {
        StoredEntry e = store.lookup(key(i), clock.instant()).orElseThrow(() -> new AssertionError("no entry " + i));
        return s.gate().check(e, StoreAdapter.toStoredResponse(e), RouteOverrides.NONE);
    }

    @Test
    void theStoreWalkSeesEveryEntryOfBothTiersAndSurvivesARestart() throws Exception {
        open();
        fill();
        Set<StoreKey> seen = new HashSet<>();
        store.forEachEntry(clock.instant(), e -> seen.add(e.key()));
        assertEquals(ENTRIES, seen.size());
        int[] stopped = {0};
        assertEquals(false, store.forEachEntry(clock.instant(), e -> ++stopped[0] < 10));
        assertEquals(10, stopped[0], "returning false stops the walk");
        store.close();
        open();
        seen.clear();
        store.forEachEntry(clock.instant(), e -> seen.add(e.key()));
        assertEquals(ENTRIES, seen.size(), "the disk tier after reopening");
        seen.clear();
        store.forEachEntry(clock.instant().plus(Duration.ofDays(2)), e -> seen.add(e.key()));
        assertEquals(0, seen.size(), "entries past retention are not visited");
    }

    @Test
    void aHardTagPurgeHoldsAfterARestartBeforeTheSweeperRan() throws Exception {
        open();
        fill();
        clock.advance(Duration.ofSeconds(1));
        PurgeService s = service();
        s.purgeBy(BanKind.TAG, "even", PurgeMode.HARD, "test", "admin");
        store.close();

        open();
        PurgeService after = service();
        assertEquals(1, after.bansActive(), "the ban was persisted");
        for (int i = 0; i < ENTRIES; i++) {
            assertSame(i % 2 == 0 ? PurgeGate.Verdict.REMOVE : PurgeGate.Verdict.KEEP, verdict(after, i), "entry " + i);
        }
        BanSweeper.Pass pass = after.sweeper().sweepOnce();
        assertEquals(ENTRIES / 2, pass.removed());
        assertEquals(1, pass.retired().size());
        store.close();

        open();
        PurgeService third = service();
        assertEquals(0, third.bansActive(), "retired bans stay retired");
        for (int i = 0; i < ENTRIES; i++) {
            Optional<StoredEntry> e = store.lookup(key(i), clock.instant());
            assertEquals(i % 2 != 0, e.isPresent(), "entry " + i);
        }
    }

    @Test
    void aSoftTagPurgeHoldsAfterARestartAndTheSweeperWritesTheStaleTimes() throws Exception {
        open();
        fill();
        clock.advance(Duration.ofSeconds(10));
        PurgeService s = service();
        Ban ban = s.purgeBy(BanKind.TAG, "even", PurgeMode.SOFT, "test", "admin");
        store.close();

        open();
        PurgeService after = service();
        PurgeGate.Verdict v = verdict(after, 0);
        assertInstanceOf(PurgeGate.Verdict.Stale.class, v);
        assertTrue(Freshness.remaining(((PurgeGate.Verdict.Stale) v).view(), ban.time(), policy, RouteOverrides.NONE) <= 0,
                "stale as of the purge");
        assertSame(PurgeGate.Verdict.KEEP, verdict(after, 1));
        BanSweeper.Pass pass = after.sweeper().sweepOnce();
        assertEquals(ENTRIES / 2, pass.staled());
        assertEquals(0, after.bansActive());
        store.close();

        open();
        PurgeService third = service();
        assertEquals(0, third.bansActive());
        StoredEntry e0 = store.lookup(key(0), clock.instant()).orElseThrow();
        assertTrue(Freshness.remaining(StoreAdapter.toStoredResponse(e0), clock.instant(), policy, RouteOverrides.NONE) <= 0,
                "the stale times were written to disk");
        StoredEntry e1 = store.lookup(key(1), clock.instant()).orElseThrow();
        assertTrue(Freshness.remaining(StoreAdapter.toStoredResponse(e1), clock.instant(), policy, RouteOverrides.NONE) > 0,
                "untagged entries stay fresh");
    }
}
