package dev.cachalot.policy;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.HttpDates;

import java.time.Instant;

/**
 * The current age of a stored response, exactly as RFC 9111 §4.2.3 defines it:
 * <pre>
 * apparent_age = max(0, response_time - date_value)
 * response_delay = response_time - request_time
 * corrected_age_value = age_value + response_delay
 * corrected_initial_age = max(apparent_age, corrected_age_value)
 * resident_time = now - response_time
 * current_age = corrected_initial_age + resident_time
 * </pre>
 * Clock skew never makes an age negative: response_delay and resident_time are floored at zero.
 * All values are whole seconds, saturating at 2^31 (RFC 9111 §1.2.2).
 */
public final class AgeCalculator {
    private AgeCalculator() {}

    /** current_age in seconds of a stored response at {@code now} (its corrected initial age is parsed once). */
    public static long currentAge(StoredResponse stored, Instant now) {
        long residentTime = DeltaSeconds.clamp(seconds(stored.responseTime(), now));
        return DeltaSeconds.add(stored.correctedInitialAge(), residentTime);
    }

    /** current_age in seconds from the raw inputs. */
    public static long currentAge(Instant requestTime, Instant responseTime, HeaderFields headers, Instant now) {
        Instant date = HttpDates.parse(headers.first("Date")).orElse(responseTime);
        long correctedInitialAge = correctedInitialAge(requestTime, responseTime, date, ageValue(headers));
        long residentTime = DeltaSeconds.clamp(seconds(responseTime, now));
        return DeltaSeconds.add(correctedInitialAge, residentTime);
    }

    /** corrected_initial_age = max(apparent_age, age_value + response_delay), each floored at 0. */
    static long correctedInitialAge(Instant requestTime, Instant responseTime, Instant dateValue, long ageValue) {
        long apparentAge = DeltaSeconds.clamp(seconds(dateValue, responseTime));
        long responseDelay = DeltaSeconds.clamp(seconds(requestTime, responseTime));
        long correctedAgeValue = DeltaSeconds.add(ageValue, responseDelay);
        return Math.max(apparentAge, correctedAgeValue);
    }

    /**
     * age_value: the Age field (RFC 9111 §5.1), first line if repeated and first member of a
     * list-based value ("a cache encountering a message with a list-based Age field value SHOULD
     * use the first member"); 0 when absent or invalid (§4.2.3: "or 0, if not available").
     */
    public static long ageValue(HeaderFields headers) {
        String v = headers.first("Age");
        if (v == null) {
            return 0;
        }
        int comma = v.indexOf(',');
        if (comma >= 0) {
            v = v.substring(0, comma);
        }
        long a = DeltaSeconds.parse(v.trim());
        return a == DeltaSeconds.ABSENT ? 0 : a;
    }

    /**
     * Whole seconds from {@code from} to {@code to}, rounded down (as {@code Duration.between(from,
     * to).getSeconds()}, without the Duration object: this runs on every hit).
     */
    static long seconds(Instant from, Instant to) {
        long s = to.getEpochSecond() - from.getEpochSecond(); // Instant's range keeps this within a long
        return to.getNano() < from.getNano() ? s - 1 : s;
    }
}
