package dev.cachalot.policy;

import dev.cachalot.http.RequestHead;
import dev.cachalot.http.ResponseHead;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.cachalot.policy.Fixtures.at;
import static dev.cachalot.policy.Fixtures.date;
import static dev.cachalot.policy.Fixtures.get;
import static dev.cachalot.policy.Fixtures.response;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sequence a pipeline runs, with a map standing in for the store and explicit times: miss and
 * store, hit, stale revalidation answered 304, client 304, invalidation.
 */
class PipelineWalkthroughTest {

    private final CachePolicy policy = new CachePolicy(PolicyConfig.defaults());
    private final List<StoredResponse> variants = new ArrayList<>();

    @Test
    void missStoreHitRevalidateInvalidate() {
        RequestHead req = get("/doc", "Accept-Encoding", "gzip");
        // 1. Miss.
        CacheDecision d = policy.decide(req, variants, at(0), RouteOverrides.NONE);
        assertEquals(ForwardReason.URI_MISS, assertInstanceOf(CacheDecision.Forward.class, d).reason());
        ResponseHead origin = response(200, "Date", date(0), "Cache-Control", "max-age=60", "ETag", "\"v1\"",
                "Vary", "Accept-Encoding", "Content-Length", "1000");
        StoreDecision.Store store = assertInstanceOf(StoreDecision.Store.class, policy.store(req, origin, at(0), RouteOverrides.NONE));
        assertTrue(policy.variantPlan(variants, req).toRemove().isEmpty());
        variants.add(new StoredResponse(at(0), at(0), store.head(), VaryNormalizer.selectingHeaders(origin, req), 1000));
        ResponseHead out = policy.shape(origin, null, false, CacheStatus.forwarded("Cachalot", ForwardReason.URI_MISS, 200,
                true, Freshness.remaining(variants.get(0), at(0), policy.config(), RouteOverrides.NONE), null), at(0));
        assertEquals("Cachalot;fwd=uri-miss;fwd-status=200;stored;ttl=60", out.headers().first("Cache-Status"));

        // 2. Hit 30 s later.
        CacheDecision.Serve hit = assertInstanceOf(CacheDecision.Serve.class,
                policy.decide(req, variants, at(30), RouteOverrides.NONE));
        out = policy.shape(hit.entry().head(), hit.age(), false, CacheStatus.of(hit, policy.config()), at(30));
        assertEquals("30", out.headers().first("Age"));
        assertEquals("HIT", out.headers().first("X-Cache-Status"));

        // 3. Stale at 100 s: revalidate; origin answers 304 with a new max-age.
        CacheDecision.Revalidate rv = assertInstanceOf(CacheDecision.Revalidate.class,
                policy.decide(req, variants, at(100), RouteOverrides.NONE));
        assertEquals("\"v1\"", rv.conditional().headers().first("If-None-Match"));
        ResponseHead notModified = response(304, "Date", date(101), "Cache-Control", "max-age=120", "ETag", "\"v1\"");
        List<Integer> selected = policy.select304(notModified, variants, rv.entry());
        assertEquals(List.of(0), selected);
        HeaderMerge.Result merged = policy.merge(variants.get(0).head(), notModified);
        variants.set(0, variants.get(0).updated(merged.stored(), at(100), at(101)));
        out = policy.shape(merged.forClient(), AgeCalculator.currentAge(variants.get(0), at(101)), true,
                CacheStatus.revalidated("Cachalot", rv.reason(), true,
                        Freshness.remaining(variants.get(0), at(101), policy.config(), RouteOverrides.NONE), null), at(101));
        assertEquals("REVALIDATED", out.headers().first("X-Cache-Status"));
        assertEquals("1000", out.headers().first("Content-Length"));
        assertEquals("1", out.headers().first("Age")); // response_delay of the validation exchange (§4.2.3)

        // 4. The updated entry is fresh again, and a client conditional gets 304 from the cache.
        RequestHead conditional = get("/doc", "Accept-Encoding", "gzip", "If-None-Match", "\"v1\"");
        CacheDecision.Serve again = assertInstanceOf(CacheDecision.Serve.class,
                policy.decide(conditional, variants, at(150), RouteOverrides.NONE));
        assertEquals(ClientConditionals.Outcome.NOT_MODIFIED, policy.clientConditional(conditional, again.entry(), at(150)));
        assertEquals(304, ClientConditionals.notModified(again.entry().head()).status());

        // 5. A POST invalidates the URL.
        assertEquals(List.of(policy.primaryKey(req)),
                policy.invalidate(Fixtures.request("POST", "/doc"), response(204)));
    }
}
