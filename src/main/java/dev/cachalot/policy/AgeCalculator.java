package dev.cachalot.policy;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.HttpDates;

import java.time.Duration;
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

    /** current_age in seconds of a stored response at {@code now}. */
    public static long currentAge(StoredResponse stored, Instant now) {
        return currentAge(stored.requestTime(), stored.responseTime(), stored.head().headers(), now);
    }

    /** current_age in seconds from the raw inputs. */
    public static long currentAge(Instant requestTime, Instant responseTime, HeaderFields headers, Instant now) {
        Instant date = HttpDates.parse(headers.first("Date")).orElse(responseTime);
        long apparentAge = DeltaSeconds.clamp(seconds(date, responseTime));
        long responseDelay = DeltaSeconds.clamp(seconds(requestTime, responseTime));
        long correctedAgeValue = DeltaSeconds.add(ageValue(headers), responseDelay);
        long correctedInitialAge = Math.max(apparentAge, correctedAgeValue);
        long residentTime = DeltaSeconds.clamp(seconds(responseTime, now));
        return DeltaSeconds.add(correctedInitialAge, residentTime);
    }

    /**
     * age_value: the Age field (RFC 9111 §5.1), first line if repeated; 0 when absent or invalid
     * (§4.2.3: "or 0, if not available").
     */
    public static long ageValue(HeaderFields headers) {
        String v = headers.first("Age");
        if (v == null) {
            return 0;
        }
        long a = DeltaSeconds.parse(v.trim());
        return a == DeltaSeconds.ABSENT ? 0 : a;
    }

    private static long seconds(Instant from, Instant to) {
        return Duration.between(from, to).getSeconds();
    }
}
