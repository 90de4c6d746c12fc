package dev.cachalot.policy;

import dev.cachalot.http.HeaderFields;
import org.junit.jupiter.api.Test;

import static dev.cachalot.policy.Fixtures.at;
import static dev.cachalot.policy.Fixtures.date;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** RFC 9111 §4.2.3 age calculation. */
class AgeCalculatorTest {

    @Test
    void residentTimeAddsToAge() {
        assertEquals(30, AgeCalculator.currentAge(at(0), at(0), HeaderFields.of("Date", date(0)), at(30)));
    }

    @Test
    void apparentAgeFromDateBeforeResponseTime() {
        // Date 10 s before receipt, no Age field: apparent_age = 10.
        assertEquals(10, AgeCalculator.currentAge(at(10), at(10), HeaderFields.of("Date", date(0)), at(10)));
    }

    @Test
    void correctedAgeValueAddsResponseDelayToAgeField() {
        // request at 0, response at 4 (delay 4), Age 20 -> corrected_age_value 24 > apparent age 4.
        assertEquals(24 + 6, AgeCalculator.currentAge(at(0), at(4), HeaderFields.of("Date", date(0), "Age", "20"), at(10)));
    }

    @Test
    void dateInTheFutureNeverMakesAgeNegative() {
        assertEquals(0, AgeCalculator.currentAge(at(0), at(0), HeaderFields.of("Date", date(500)), at(0)));
    }

    @Test
    void nowBeforeResponseTimeIsFlooredAtZero() {
        assertEquals(0, AgeCalculator.currentAge(at(10), at(10), HeaderFields.of("Date", date(10)), at(0)));
    }

    @Test
    void invalidOrMissingAgeCountsAsZero() {
        assertEquals(0, AgeCalculator.ageValue(HeaderFields.of("Age", "-5")));
        assertEquals(0, AgeCalculator.ageValue(HeaderFields.empty()));
        assertEquals(7, AgeCalculator.ageValue(HeaderFields.of("Age", "7", "Age", "9")));
    }

    /** Conformance age-list-first-member-stale: RFC 9111 §5.1, a list-based Age uses its first member. */
    @Test
    void listBasedAgeUsesTheFirstMember() {
        assertEquals(7200, AgeCalculator.ageValue(HeaderFields.of("Age", "7200, 10")));
        assertEquals(5, AgeCalculator.ageValue(HeaderFields.of("Age", " 5 ,7200")));
        assertEquals(0, AgeCalculator.ageValue(HeaderFields.of("Age", "x, 10")), "an invalid first member is no Age");
    }

    @Test
    void hugeAgeSaturatesAtTwoToThe31() {
        assertEquals(DeltaSeconds.MAX, AgeCalculator.currentAge(at(0), at(0),
                HeaderFields.of("Age", "999999999999999"), at(100)));
    }

    @Test
    void wholeSecondsBetweenInstantsRoundDownLikeDuration() {
        java.util.Random r = new java.util.Random(7);
        java.time.Instant[] edges = {java.time.Instant.MIN, java.time.Instant.MAX, java.time.Instant.EPOCH,
                java.time.Instant.ofEpochSecond(0, 999_999_999), java.time.Instant.ofEpochSecond(-1, 1)};
        for (java.time.Instant a : edges) {
            for (java.time.Instant b : edges) {
                assertEquals(java.time.Duration.between(a, b).getSeconds(), AgeCalculator.seconds(a, b), a + " " + b);
            }
        }
        for (int i = 0; i < 100_000; i++) {
            java.time.Instant a = java.time.Instant.ofEpochSecond(r.nextInt(4_000_000) - 2_000_000L, r.nextInt(1_000_000_000));
            java.time.Instant b = i % 3 == 0 ? a.plusNanos(r.nextInt(2_000_000_000) - 1_000_000_000L)
                    : java.time.Instant.ofEpochSecond(r.nextInt(4_000_000) - 2_000_000L, r.nextInt(1_000_000_000));
            assertEquals(java.time.Duration.between(a, b).getSeconds(), AgeCalculator.seconds(a, b), a + " " + b);
        }
    }
}
