package dev.cachalot.http;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** RFC 9110 §5.6.7 HTTP-date. */
class HttpDatesTest {

    private static final Instant EXAMPLE = Instant.parse("1994-11-06T08:49:37Z");

    @Test
    void formatsImfFixdate() {
        assertEquals("Sun, 06 Nov 1994 08:49:37 GMT", HttpDates.format(EXAMPLE));
        assertEquals("Sun, 06 Nov 1994 08:49:37 GMT", HttpDates.format(EXAMPLE.plusMillis(999)));
    }

    @Test
    void parsesAllThreeForms() {
        assertEquals(Optional.of(EXAMPLE), HttpDates.parse("Sun, 06 Nov 1994 08:49:37 GMT"));
        assertEquals(Optional.of(EXAMPLE), HttpDates.parse("Sunday, 06-Nov-94 08:49:37 GMT"));
        assertEquals(Optional.of(EXAMPLE), HttpDates.parse("Sun Nov  6 08:49:37 1994"));
        assertEquals(Optional.of(EXAMPLE), HttpDates.parse("  Sun, 06 Nov 1994 08:49:37 GMT "));
    }

    @Test
    void rfc850FormParsesEveryWeekdayName() {
        assertEquals(Optional.of(Instant.parse("1994-11-09T08:49:37Z")), HttpDates.parse("Wednesday, 09-Nov-94 08:49:37 GMT"));
        assertEquals(Optional.of(Instant.parse("2026-11-25T00:00:00Z")), HttpDates.parse("Wednesday, 25-Nov-26 00:00:00 GMT"));
    }

    @Test
    void asctimeWithTwoDigitDay() {
        assertEquals(Optional.of(Instant.parse("1994-11-16T08:49:37Z")), HttpDates.parse("Wed Nov 16 08:49:37 1994"));
    }

    @Test
    void wrongWeekdayIsRejected() {
        assertEquals(Optional.empty(), HttpDates.parse("Mon, 06 Nov 1994 08:49:37 GMT"));
    }

    @Test
    void fastImfFixdatePathAgreesWithTheFormatter() {
        for (long sec = 0; sec < 4_000_000_000L; sec += 7_777_777L) {
            Instant i = Instant.ofEpochSecond(sec);
            assertEquals(i, HttpDates.parseImfFixdate(HttpDates.format(i)));
        }
        assertEquals(null, HttpDates.parseImfFixdate("Sun, 06 Nov 1994 24:49:37 GMT"));
        assertEquals(null, HttpDates.parseImfFixdate("Sun, 31 Nov 1994 08:49:37 GMT"));
        assertEquals(null, HttpDates.parseImfFixdate("Mon, 06 Nov 1994 08:49:37 GMT"));
        assertEquals(null, HttpDates.parseImfFixdate("Sun, 06 Nov 1994 08:49:37 UTC"));
        assertEquals(Optional.empty(), HttpDates.parse("Sun, 06 Nov 1994 08:60:37 GMT"));
    }

    @Test
    void invalidDatesAreEmpty() {
        assertEquals(Optional.empty(), HttpDates.parse("0"));
        assertEquals(Optional.empty(), HttpDates.parse(""));
        assertEquals(Optional.empty(), HttpDates.parse(null));
        assertEquals(Optional.empty(), HttpDates.parse("Sun, 32 Nov 1994 08:49:37 GMT"));
        assertEquals(Optional.empty(), HttpDates.parse("Sun, 06 Nov 1994 08:49:37 PST"));
    }
}
