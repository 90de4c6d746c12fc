package dev.cachalot.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bucket maths: never more than burst + rate * t admitted in any window t, and no fewer than promised. */
class TokenBucketTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void neverAdmitsMoreThanBurstPlusRateTimesTheWindowInAnyWindow() {
        qt().withExamples(200)
                .forAll(doubles().between(0.01, 2000), integers().between(1, 40),
                        lists().of(longs().between(0, 3 * SECOND)).ofSizeBetween(1, 150))
                .checkAssert((rate, burst, gaps) -> {
                    RateLimit limit = new RateLimit(rate, burst);
                    long start = 7 * SECOND; // arbitrary origin of the ticker
                    TokenBucket b = new TokenBucket(start);
                    List<Long> admitted = new ArrayList<>();
                    long now = start;
                    for (long gap : gaps) {
                        // Requests in bursts too: a gap below 1/3 of the range means "at the same instant".
                        now += gap < SECOND ? 0 : gap - SECOND;
                        if (b.tryTake(limit, now) == 0) {
                            admitted.add(now);
                        }
                    }
                    for (int i = 0; i < admitted.size(); i++) {
                        for (int j = i; j < admitted.size(); j++) {
                            long window = admitted.get(j) - admitted.get(i);
                            int count = j - i + 1;
                            double bound = burst + rate * window / (double) SECOND;
                            assertTrue(count <= bound + 1e-9, count + " admitted in " + window + " ns > burst "
                                    + burst + " + rate " + rate + " x t");
                        }
                    }
                });
    }

    @Test
    void aFullBucketAdmitsExactlyBurstAtOnceThenOneMorePerInterval() {
        qt().forAll(doubles().between(0.01, 2000), integers().between(1, 200)).checkAssert((rate, burst) -> {
            RateLimit limit = new RateLimit(rate, burst);
            long now = 123 * SECOND;
            TokenBucket b = new TokenBucket(now);
            for (int i = 0; i < burst; i++) {
                assertEquals(0, b.tryTake(limit, now), "request " + i + " of a full bucket of " + burst);
            }
            long wait = b.tryTake(limit, now);
            assertTrue(wait > 0, "the request after the burst must wait");
            assertEquals(limit.intervalNanos(), wait, "an empty bucket refills one token per interval");
            assertTrue(b.tryTake(limit, now + wait - 1) > 0, "one nanosecond early is still too early");
            assertEquals(0, b.tryTake(limit, now + wait), "exactly when the token is due");
        });
    }

    @Test
    void theIntervalIsRoundedUpSoTheEnforcedRateNeverExceedsTheConfiguredOne() {
        qt().forAll(doubles().between(RateLimit.MIN_RATE, 1e9)).checkAssert(rate -> {
            long interval = new RateLimit(rate, 1).intervalNanos();
            assertTrue(1e9 / interval <= rate * (1 + 1e-12), "1e9/" + interval + " > " + rate);
        });
    }

    @Test
    void aGivenBackTokenCanBeTakenAgain() {
        RateLimit limit = new RateLimit(1, 2);
        TokenBucket b = new TokenBucket(0);
        assertEquals(0, b.tryTake(limit, 0));
        assertEquals(0, b.tryTake(limit, 0));
        assertTrue(b.tryTake(limit, 0) > 0);
        b.giveBack(limit);
        assertEquals(0, b.tryTake(limit, 0), "the returned token is available again");
        assertTrue(b.tryTake(limit, 0) > 0);
    }

    @Test
    void aLimitChangedOnReloadAppliesToTheExistingBucket() {
        TokenBucket b = new TokenBucket(0);
        RateLimit slow = new RateLimit(1, 1);
        assertEquals(0, b.tryTake(slow, 0));
        assertEquals(SECOND, b.tryTake(slow, 0));
        RateLimit generous = new RateLimit(1, 5);
        for (int i = 0; i < 4; i++) {
            assertEquals(0, b.tryTake(generous, 0), "the larger burst is usable at once");
        }
        assertTrue(b.tryTake(generous, 0) > 0);
    }

    @Test
    void retryAfterIsTheWaitInWholeSecondsRoundedUpAndAtLeastOne() {
        assertEquals(1, RateLimiter.seconds(1));
        assertEquals(1, RateLimiter.seconds(SECOND));
        assertEquals(2, RateLimiter.seconds(SECOND + 1));
        assertEquals(10, RateLimiter.seconds(10 * SECOND));
    }
}
