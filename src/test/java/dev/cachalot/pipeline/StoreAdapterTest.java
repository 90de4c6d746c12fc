package dev.cachalot.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.RequestHead;
import dev.cachalot.http.ResponseHead;
import dev.cachalot.policy.CacheKeys;
import dev.cachalot.policy.PolicyConfig;
import dev.cachalot.policy.RouteOverrides;
import dev.cachalot.policy.StoredResponse;
import dev.cachalot.store.EntryHead;
import dev.cachalot.store.StoreKey;
import dev.cachalot.store.WriteOutcome;
import dev.cachalot.store.tier.CaffeineTier;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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

    /**
     * The thread's key memo gives each request the key of its own URI parts: requests alternating on
     * one thread (as connections on one I/O thread do), URIs differing only in the scheme, the
     * authority or the query, and more URIs than the memo has slots (so slots are replaced while
     * their old URIs come back) all get exactly the key built from scratch.
     */
    @Test
    void primaryKeysFromTheThreadsMemoAreTheKeysOfEachRequestsOwnUri() {
        List<RequestHead> requests = new ArrayList<>();
        for (String scheme : List.of("http", "https")) {
            for (String authority : List.of("a.test", "A.test:80", "b.test:8080")) {
                for (String target : List.of("/x", "/x?", "/x?q=1", "/y", "")) {
                    requests.add(new RequestHead("GET", scheme, authority, target, "HTTP/1.1", HeaderFields.empty()));
                }
            }
        }
        for (int i = 0; i < 3 * StoreAdapter.KeyMemo.SLOTS; i++) {
            requests.add(new RequestHead("GET", "http", "many.test", "/o" + i, "HTTP/1.1", HeaderFields.empty()));
        }
        String longPath = "/" + "l".repeat(StoreAdapter.KeyMemo.MAX_TARGET); // not kept: built every time
        requests.add(new RequestHead("GET", "http", "a.test", longPath, "HTTP/1.1", HeaderFields.empty()));
        requests.add(new RequestHead("GET", "http", "a.test", longPath + "?2", "HTTP/1.1", HeaderFields.empty()));
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < requests.size(); i++) {
                // Heads with their own (equal) strings, as Undertow parses them anew per request.
                RequestHead r = requests.get(round == 1 ? requests.size() - 1 - i : i);
                RequestHead fresh = new RequestHead("GET", new String(r.scheme()), new String(r.authority()),
                        new String(r.target()), "HTTP/1.1", HeaderFields.empty());
                StoreKey expected = StoreKey.of(CacheKeys.primary(r).getBytes(StandardCharsets.UTF_8));
                assertEquals(expected, StoreAdapter.primaryKeyRemembered(r), r.uri());
                assertEquals(expected, StoreAdapter.primaryKeyRemembered(fresh), r.uri());
                assertEquals(expected, StoreAdapter.primaryKey(r), r.uri());
                assertEquals(CacheKeys.primary(r), new String(StoreAdapter.primaryKeyRemembered(r).primary(),
                        StandardCharsets.UTF_8), r.uri());
            }
        }
        // Equal keys for equal URIs, different ones otherwise (A.test:80 is a.test for http only).
        assertEquals(StoreAdapter.primaryKeyRemembered(requests.get(0)),
                StoreAdapter.primaryKeyRemembered(requests.get(5)));
        assertNotEquals(StoreAdapter.primaryKeyRemembered(requests.get(0)),
                StoreAdapter.primaryKeyRemembered(requests.get(15)));
        assertNotEquals(StoreAdapter.primaryKeyRemembered(requests.get(0)),
                StoreAdapter.primaryKeyRemembered(requests.get(2)));
    }
}
