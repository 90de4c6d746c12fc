package dev.cachalot.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.ResponseHead;
import dev.cachalot.policy.CacheStatus;
import dev.cachalot.policy.DeltaSeconds;
import dev.cachalot.policy.PolicyConfig;
import dev.cachalot.policy.ResponseShaper;
import dev.cachalot.policy.StoredResponse;
import dev.cachalot.server.PreparedHead;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The hit head template ({@link StoredViews#buildHitTemplate}): built once for an entry version and
 * filled with each request's Age, Cache-Status ttl and (when the stored head has none) Date, it must
 * give exactly the head {@link ResponseShaper} shapes for that request, for any second. Seeded
 * random inputs, no clock.
 */
class StoredViewsTest {
    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");

    private static final List<ResponseHead> BASES = List.of(
            new ResponseHead(200, HeaderFields.of("Content-Type", "text/plain", "Date", "Wed, 25 Nov 2026 11:59:58 GMT",
                    "Cache-Control", "max-age=600", "Via", "1.1 cachalot", "Accept-Ranges", "bytes")),
            // No Date: the cache adds one per request (RFC 9110 §6.6.1).
            new ResponseHead(200, HeaderFields.of("Content-Type", "text/plain", "Cache-Control", "max-age=600",
                    "Via", "1.1 cachalot")),
            // Upstream Cache-Status entries (ours goes last), a stored Age (replaced), a qualified no-cache.
            new ResponseHead(200, HeaderFields.of("Cache-Status", "upstream; hit", "Age", "12", "Cache-Control",
                    "max-age=600, no-cache=\"X-Secret\"", "X-Secret", "s", "Date", "Wed, 25 Nov 2026 11:00:00 GMT",
                    "Cache-Status", "edge; fwd=miss", "X-Cache-Status", "MISS")),
            new ResponseHead(203, "Non-Authoritative", HeaderFields.of("ETag", "\"x\"")));

    private static CacheStatus status(String name, long ttl, String detail) {
        return CacheStatus.hit(name, ttl, detail);
    }

    @Test
    void aFilledTemplateIsTheShapedHeadForEveryAgeTtlAndSecond() {
        Random random = new Random(7);
        PolicyConfig[] configs = {PolicyConfig.defaults(), new PolicyConfig(true, 0.1, Duration.ofDays(1), 16, null,
                true, PolicyConfig.defaults().setCookiePolicy(), null, "my cache", 16)};
        String[] details = {null, "key rewritten", "odd;ttl=5 \"quoted\""};
        int checked = 0;
        for (PolicyConfig config : configs) {
            for (ResponseHead base : BASES) {
                for (String detail : details) {
                    CacheStatus first = status(config.cacheName(), 600, detail);
                    PreparedHead.Template t = StoredViews.buildHitTemplate(base, 0, first, T0, config);
                    assertNotNull(t, base + " " + detail);
                    for (int i = 0; i < 200; i++) {
                        long age = i < 3 ? new long[] {0, DeltaSeconds.MAX, Long.MAX_VALUE / 2}[i]
                                : random.nextInt(i < 100 ? 100 : 1_000_000);
                        long ttl = i == 3 ? -5 : i == 4 ? Long.MAX_VALUE / 3 : random.nextInt(100_000);
                        Instant now = T0.plusMillis(random.nextInt(1_000_000_000));
                        CacheStatus st = status(config.cacheName(), ttl, detail);
                        ResponseHead expected = ResponseShaper.shape(base, age, false, st, now, config);
                        PreparedHead p = new PreparedHead(t, DeltaSeconds.clamp(age), StoredViews.clampTtl(ttl),
                                now.getEpochSecond());
                        assertEquals(expected, p.head(), "age " + age + " ttl " + ttl + " at " + now);
                        checked++;
                    }
                }
            }
        }
        assertEquals(2 * BASES.size() * details.length * 200, checked);
    }

    @Test
    void aHeadThatCannotBeSplitHasNoTemplate() {
        // The short status field named like Cache-Status replaces our entry: no ttl to fill, shape per request.
        PolicyConfig odd = new PolicyConfig(true, 0.1, Duration.ofDays(1), 16, null, true,
                PolicyConfig.defaults().setCookiePolicy(), "Cache-Status", "Cachalot", 16);
        assertNull(StoredViews.buildHitTemplate(BASES.get(0), 0, status("Cachalot", 60, null), T0, odd));
        // No ttl at all.
        CacheStatus noTtl = new CacheStatus("Cachalot", true, null, 0, false, false, null, null,
                status("Cachalot", 1, null).shortStatus());
        assertNull(StoredViews.buildHitTemplate(BASES.get(0), 0, noTtl, T0, PolicyConfig.defaults()));
    }

    /**
     * A view remembers the Cache-Status entry of its last fresh hit: hits that interleave on it with
     * other ttls, details or cache names each get the entry of their own values, and so does a hit
     * with no view; the same for the hit head it remembers (template, Age, ttl, second); the list of
     * one that policy is offered is the view's response.
     */
    @Test
    void aViewsRememberedHitStatusIsTheEntryOfEachHitsOwnValues() {
        StoredResponse r = new StoredResponse(T0, T0, BASES.get(0), HeaderFields.empty(), 0);
        StoredViews.View v = new StoredViews.View(0, r);
        String[] names = {"Cachalot", "Cachalot", "other"};
        String[] details = {null, null, "key rewritten", null};
        long[] ttls = {600, 600, 599, 600, 1, -5, 600};
        for (int i = 0; i < 60; i++) {
            String name = names[i % names.length];
            String detail = details[i % details.length];
            long ttl = ttls[i % ttls.length];
            assertEquals(CacheStatus.hit(name, ttl, detail), StoredViews.hitStatus(v, name, ttl, detail));
            assertEquals(CacheStatus.hit(name, ttl, detail), StoredViews.hitStatus(null, name, ttl, detail));
        }
        PreparedHead.Template[] templates = {
            StoredViews.buildHitTemplate(BASES.get(0), 0, status("Cachalot", 600, null), T0, PolicyConfig.defaults()),
            StoredViews.buildHitTemplate(BASES.get(1), 0, status("Cachalot", 600, null), T0, PolicyConfig.defaults())};
        long[] seconds = {T0.getEpochSecond(), T0.getEpochSecond(), T0.getEpochSecond() + 1};
        for (int i = 0; i < 60; i++) {
            PreparedHead.Template t = templates[(i / 10) % templates.length];
            long age = i % 5;
            long ttl = ttls[i % ttls.length];
            long second = seconds[i % seconds.length];
            for (StoredViews.View view : new StoredViews.View[] {v, null}) {
                PreparedHead h = StoredViews.hitHead(view, t, age, ttl, second);
                assertSame(t, h.template());
                assertEquals(age, h.age());
                assertEquals(ttl, h.ttl());
                assertEquals(second, h.second());
                assertEquals(new PreparedHead(t, age, ttl, second).head(), h.head());
            }
        }
        assertEquals(List.of(r), StoredViews.responses(v, r));
        StoredResponse other = new StoredResponse(T0, T0, BASES.get(1), HeaderFields.empty(), 0);
        assertEquals(List.of(other), StoredViews.responses(v, other));
        assertEquals(List.of(other), StoredViews.responses(null, other));
    }
}
