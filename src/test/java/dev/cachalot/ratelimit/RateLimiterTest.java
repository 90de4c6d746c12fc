package dev.cachalot.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    private final FakeTicker ticker = new FakeTicker();

    private static RateLimitConfig clientLimit(double rate, int burst) {
        return new RateLimitConfig(true, false, new RateLimit(rate, burst), 1000, Duration.ofMinutes(10), 64,
                Map.of());
    }

    @Test
    void eachClientHasItsOwnBucket() {
        RateLimiter l = new RateLimiter(clientLimit(1, 2), ticker);
        assertInstanceOf(Admission.Admitted.class, l.acquire("10.0.0.1", "r"));
        assertInstanceOf(Admission.Admitted.class, l.acquire("10.0.0.1", "r"));
        Admission.Limited over = assertInstanceOf(Admission.Limited.class, l.acquire("10.0.0.1", "r"));
        assertEquals(LimitScope.CLIENT, over.scope());
        assertEquals(1, over.retryAfterSeconds());
        assertInstanceOf(Admission.Admitted.class, l.acquire("10.0.0.2", "r"), "another client is not affected");
        ticker.advance(Duration.ofSeconds(1));
        assertInstanceOf(Admission.Admitted.class, l.acquire("10.0.0.1", "r"), "one token back after 1 s");
        assertEquals(new RateLimiter.Stats(4, 1, 0, 2), l.stats());
    }

    @Test
    void retryAfterCountsTheSecondsUntilTheNextTokenRoundedUp() {
        RateLimiter l = new RateLimiter(clientLimit(0.4, 1), ticker); // one token per 2.5 s
        assertInstanceOf(Admission.Admitted.class, l.acquire("a", "r"));
        assertEquals(3, ((Admission.Limited) l.acquire("a", "r")).retryAfterSeconds());
        ticker.advance(Duration.ofMillis(1500));
        assertEquals(1, ((Admission.Limited) l.acquire("a", "r")).retryAfterSeconds());
        ticker.advance(Duration.ofMillis(1000));
        assertInstanceOf(Admission.Admitted.class, l.acquire("a", "r"));
    }

    @Test
    void aRouteLimitIsSharedByAllClientsAndARefusalByItReturnsTheClientToken() {
        RateLimitConfig c = new RateLimitConfig(true, false, new RateLimit(1, 1), 1000, Duration.ofMinutes(10), 64,
                Map.of("api", new RateLimit(1, 2)));
        RateLimiter l = new RateLimiter(c, ticker);
        assertInstanceOf(Admission.Admitted.class, l.acquire("a", "api"));
        assertInstanceOf(Admission.Admitted.class, l.acquire("b", "api"));
        Admission.Limited r = assertInstanceOf(Admission.Limited.class, l.acquire("c", "api"));
        assertEquals(LimitScope.ROUTE, r.scope());
        assertEquals("api", r.subject());
        assertInstanceOf(Admission.Admitted.class, l.acquire("c", "other"),
                "client c's token was given back when the route refused it; other routes are unlimited");
    }

    @Test
    void releaseGivesBothTokensBack() {
        RateLimitConfig c = new RateLimitConfig(true, false, new RateLimit(1, 1), 1000, Duration.ofMinutes(10), 64,
                Map.of("api", new RateLimit(1, 1)));
        RateLimiter l = new RateLimiter(c, ticker);
        Admission.Admitted a = assertInstanceOf(Admission.Admitted.class, l.acquire("a", "api"));
        l.release(a);
        assertInstanceOf(Admission.Admitted.class, l.acquire("a", "api"));
        assertInstanceOf(Admission.Limited.class, l.acquire("a", "api"));
    }

    @Test
    void disabledAdmitsEverythingWithoutTouchingABucket() {
        RateLimiter l = new RateLimiter(RateLimitConfig.DEFAULTS, ticker);
        for (int i = 0; i < 1000; i++) {
            assertSame(Admission.Admitted.FREE, l.acquire("10.0.0." + (i % 250), "r"));
        }
        assertEquals(0, l.stats().trackedClients());
    }

    @Test
    void manyDistinctAddressesKeepAtMostMaxClientsBuckets() {
        RateLimitConfig c = new RateLimitConfig(true, false, new RateLimit(1, 1), 100, Duration.ofMinutes(10), 64,
                Map.of());
        RateLimiter l = new RateLimiter(c, ticker);
        for (int i = 0; i < 20_000; i++) {
            l.acquire("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255), "r");
        }
        l.cleanUp();
        assertTrue(l.stats().trackedClients() <= 100, "tracked " + l.stats().trackedClients());
    }

    @Test
    void idleClientBucketsExpire() {
        RateLimitConfig c = new RateLimitConfig(true, false, new RateLimit(1, 1), 1000, Duration.ofMinutes(1), 64,
                Map.of());
        RateLimiter l = new RateLimiter(c, ticker);
        for (int i = 0; i < 50; i++) {
            l.acquire("10.0.0." + i, "r");
        }
        l.cleanUp();
        assertEquals(50, l.stats().trackedClients());
        ticker.advance(Duration.ofSeconds(61));
        l.cleanUp();
        assertEquals(0, l.stats().trackedClients());
    }

    @Test
    void ipv6ClientsShareABucketPerSlash64AndMappedIpv4IsIpv4() {
        assertEquals("2001:db8:0:1:0:0:0:0/64", RateLimiter.clientKey("2001:db8:0:1:aaaa::5", 64));
        assertEquals(RateLimiter.clientKey("2001:db8:0:1::9", 64), RateLimiter.clientKey("2001:db8:0:1:ffff::1", 64));
        assertTrue(!RateLimiter.clientKey("2001:db8:0:1::9", 64).equals(RateLimiter.clientKey("2001:db8:0:2::9", 64)));
        assertEquals("2001:db8:0:0:0:0:0:0/48", RateLimiter.clientKey("2001:db8:0:1::9", 48));
        assertEquals("2001:db8:0:100:0:0:0:0/56", RateLimiter.clientKey("2001:db8:0:1ff::9", 56),
                "a prefix inside a group keeps only its leading bits");
        assertEquals("10.1.2.3", RateLimiter.clientKey("::ffff:10.1.2.3", 64));
        assertEquals("10.1.2.3", RateLimiter.clientKey("10.1.2.3", 64));
        assertEquals("0:0:0:0:0:0:0:1/128", RateLimiter.clientKey("::1", 128));
        assertEquals("not-an-ip:x", RateLimiter.clientKey("not-an-ip:x", 64));
    }

    @Test
    void reloadedSettingsApplyToLiveBucketsAndDroppingTheClientLimitForgetsThem() {
        RateLimiter l = new RateLimiter(clientLimit(1, 1), ticker);
        assertInstanceOf(Admission.Admitted.class, l.acquire("a", "r"));
        assertInstanceOf(Admission.Limited.class, l.acquire("a", "r"));
        l.update(clientLimit(1, 3));
        assertInstanceOf(Admission.Admitted.class, l.acquire("a", "r"), "the bigger burst applies at once");
        l.update(new RateLimitConfig(true, false, null, 1000, Duration.ofMinutes(10), 64,
                Map.of("r", new RateLimit(100, 100))));
        l.cleanUp();
        assertEquals(0, l.stats().trackedClients());
        assertInstanceOf(Admission.Admitted.class, l.acquire("a", "r"));
    }
}
