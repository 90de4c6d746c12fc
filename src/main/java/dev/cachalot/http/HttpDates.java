package dev.cachalot.http;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.format.SignStyle;
import java.time.temporal.ChronoField;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * HTTP-date (RFC 9110 §5.6.7): IMF-fixdate for output; IMF-fixdate, the obsolete RFC 850 form and
 * asctime accepted on input. An unparsable date is {@link Optional#empty()}; callers decide what
 * that means (e.g. an invalid Expires means "already expired", RFC 9111 §5.3).
 */
public final class HttpDates {
    private HttpDates() {}

    private static final Map<Long, String> DAYS = Map.of(1L, "Mon", 2L, "Tue", 3L, "Wed", 4L, "Thu", 5L, "Fri",
            6L, "Sat", 7L, "Sun");
    /** Full day names for the RFC 850 form; Locale.ROOT has no English full names under CLDR. */
    private static final Map<Long, String> FULL_DAYS = Map.of(1L, "Monday", 2L, "Tuesday", 3L, "Wednesday",
            4L, "Thursday", 5L, "Friday", 6L, "Saturday", 7L, "Sunday");
    private static final Map<Long, String> MONTHS = Map.ofEntries(Map.entry(1L, "Jan"), Map.entry(2L, "Feb"),
            Map.entry(3L, "Mar"), Map.entry(4L, "Apr"), Map.entry(5L, "May"), Map.entry(6L, "Jun"),
            Map.entry(7L, "Jul"), Map.entry(8L, "Aug"), Map.entry(9L, "Sep"), Map.entry(10L, "Oct"),
            Map.entry(11L, "Nov"), Map.entry(12L, "Dec"));

    /** IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT. */
    private static final DateTimeFormatter IMF_FIXDATE = new DateTimeFormatterBuilder()
            .appendText(ChronoField.DAY_OF_WEEK, DAYS).appendLiteral(", ")
            .appendValue(ChronoField.DAY_OF_MONTH, 2).appendLiteral(' ')
            .appendText(ChronoField.MONTH_OF_YEAR, MONTHS).appendLiteral(' ')
            .appendValue(ChronoField.YEAR, 4).appendLiteral(' ')
            .appendValue(ChronoField.HOUR_OF_DAY, 2).appendLiteral(':')
            .appendValue(ChronoField.MINUTE_OF_HOUR, 2).appendLiteral(':')
            .appendValue(ChronoField.SECOND_OF_MINUTE, 2).appendLiteral(" GMT")
            .toFormatter(Locale.ROOT).withZone(ZoneOffset.UTC);

    /** RFC 850: Sunday, 06-Nov-94 08:49:37 GMT. */
    private static final DateTimeFormatter RFC_850 = new DateTimeFormatterBuilder()
            .appendText(ChronoField.DAY_OF_WEEK, FULL_DAYS).appendLiteral(", ")
            .appendValue(ChronoField.DAY_OF_MONTH, 2).appendLiteral('-')
            .appendText(ChronoField.MONTH_OF_YEAR, MONTHS).appendLiteral('-')
            .appendValueReduced(ChronoField.YEAR, 2, 2, 1970)
            .appendPattern(" HH:mm:ss 'GMT'").toFormatter(Locale.ROOT).withZone(ZoneOffset.UTC);

    /** asctime: Sun Nov  6 08:49:37 1994. */
    private static final DateTimeFormatter ASCTIME = new DateTimeFormatterBuilder()
            .appendPattern("EEE MMM ").padNext(2, ' ').appendValue(ChronoField.DAY_OF_MONTH, 1, 2, SignStyle.NOT_NEGATIVE)
            .appendPattern(" HH:mm:ss yyyy").toFormatter(Locale.ROOT);

    /** Formats an instant as IMF-fixdate, truncated to whole seconds. */
    public static String format(Instant instant) {
        return IMF_FIXDATE.format(instant);
    }

    private static final String DAY_NAMES = "MonTueWedThuFriSatSun";
    private static final String MONTH_NAMES = "JanFebMarAprMayJunJulAugSepOctNovDec";

    /**
     * Allocation-light parser for the common IMF-fixdate form ("Sun, 06 Nov 1994 08:49:37 GMT"),
     * checked exactly as the formatter checks it (day name must match the date); null when the text
     * is not in that exact form, so the formatter-based path decides. Added because formatter
     * parsing cost ~1.5 us per call on the hit path.
     */
    static Instant parseImfFixdate(String s) {
        if (s.length() != 29 || s.charAt(3) != ',' || s.charAt(4) != ' ' || s.charAt(7) != ' ' || s.charAt(11) != ' '
                || s.charAt(16) != ' ' || s.charAt(19) != ':' || s.charAt(22) != ':' || !s.startsWith(" GMT", 25)) {
            return null;
        }
        int dayName = name(DAY_NAMES, s, 0);
        int month = name(MONTH_NAMES, s, 8);
        int day = digits(s, 5, 2);
        int year = digits(s, 12, 4);
        int hour = digits(s, 17, 2);
        int minute = digits(s, 20, 2);
        int second = digits(s, 23, 2);
        if (dayName < 0 || month < 0 || day < 1 || year < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59) {
            return null;
        }
        try {
            java.time.LocalDate date = java.time.LocalDate.of(year, month + 1, day);
            if (date.getDayOfWeek().getValue() != dayName + 1) {
                return null;
            }
            return Instant.ofEpochSecond(date.toEpochDay() * 86400L + hour * 3600L + minute * 60L + second);
        } catch (DateTimeException e) {
            return null;
        }
    }

    private static int name(String names, String s, int at) {
        for (int i = 0; i < names.length(); i += 3) {
            if (names.regionMatches(i, s, at, 3)) {
                return i / 3;
            }
        }
        return -1;
    }

    private static int digits(String s, int at, int n) {
        int v = 0;
        for (int i = at; i < at + n; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** Parses any of the three HTTP-date forms; surrounding whitespace is ignored. */
    public static Optional<Instant> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        String s = value.trim();
        if (s.isEmpty()) {
            return Optional.empty();
        }
        Instant fast = parseImfFixdate(s);
        if (fast != null) {
            return Optional.of(fast);
        }
        try {
            return Optional.of(ZonedDateTime.parse(s, IMF_FIXDATE).toInstant());
        } catch (DateTimeParseException e) {
            // try the obsolete forms below
        }
        try {
            return Optional.of(ZonedDateTime.parse(s, RFC_850).toInstant());
        } catch (DateTimeParseException e) {
            // try asctime
        }
        try {
            return Optional.of(LocalDateTime.parse(s, ASCTIME).toInstant(ZoneOffset.UTC));
        } catch (DateTimeException e) {
            return Optional.empty();
        }
    }
}
