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
}
