package dev.cachalot.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.ResponseHead;
import dev.cachalot.policy.PolicyConfig;
import dev.cachalot.policy.RouteOverrides;
import dev.cachalot.policy.StoredResponse;
import dev.cachalot.store.EntryHead;
import dev.cachalot.store.StoreKey;
import dev.cachalot.store.WriteOutcome;
import dev.cachalot.store.tier.CaffeineTier;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Mapping heads and keys between the HTTP model and the store. */
class StoreAdapterTest {
    private static final Instant T = Instant.parse("2026-11-25T12:00:00Z");

    @Test
    void selectingFieldsSurviveTheRoundTripSeparatelyFromResponseFields() {
        StoreAdapter a = new StoreAdapter(PolicyConfig.defaults(), Duration.ofHours(1));
        ResponseHead rh = new ResponseHead(200, HeaderFields.of("Cache-Control", "max-age=60",
                "Vary", "Accept-Encoding", "Content-Length", "2"));
        EntryHead eh = a.toEntryHead(rh, HeaderFields.of("Accept-Encoding", "gzip"), T, T.plusSeconds(1),
                T.plusSeconds(1), RouteOverrides.NONE);
        CaffeineTier store = new CaffeineTier(1 << 20, 1 << 20, () -> T);
        StoreKey key = StoreKey.of("http://example.test/x");
        var w = store.beginWrite(key, eh, 2, T);
        w.append(java.nio.ByteBuffer.wrap(new byte[] {1, 2}));
        assertEquals(WriteOutcome.COMMITTED, w.commit(T).outcome());
        StoredResponse sr = StoreAdapter.toStoredResponse(store.lookup(key, T).orElseThrow());
        assertEquals(rh.headers(), sr.head().headers());
        assertEquals(HeaderFields.of("Accept-Encoding", "gzip"), sr.selectingHeaders());
        assertEquals(T, sr.requestTime());
        assertEquals(T.plusSeconds(1), sr.responseTime());
        assertEquals(2, sr.bodyLength());
    }

    @Test
    void variantKeysShareThePrimaryAndDifferByTheSelectingValues() {
        StoreKey p = StoreAdapter.primaryKey(Harness.get("/k?q=1"));
        ResponseHead vary = new ResponseHead(200, HeaderFields.of("Vary", "Accept-Encoding"));
        StoreKey gz = StoreAdapter.variantKey(p, vary, Harness.get("/k?q=1", "Accept-Encoding", "gzip"));
        StoreKey br = StoreAdapter.variantKey(p, vary, Harness.get("/k?q=1", "Accept-Encoding", "br"));
        assertTrue(gz.samePrimary(br));
        assertNotEquals(gz, br);
        assertEquals(p, StoreAdapter.variantKey(p, new ResponseHead(200, HeaderFields.empty()), Harness.get("/k?q=1")));
        assertNull(StoreAdapter.variantKey(p, new ResponseHead(200, HeaderFields.of("Vary", "*")), Harness.get("/k")));
    }
}
