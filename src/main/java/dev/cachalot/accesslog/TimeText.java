package dev.cachalot.accesslog;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Formats arrival times for the access log. The date-and-seconds part is formatted once per second
 * per thread and reused, so a log line costs no formatter objects.
 */
final class TimeText {
    private static final DateTimeFormatter ISO_SECONDS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter CLF =
            DateTimeFormatter.ofPattern("dd/MMM/uuuu:HH:mm:ss '+0000'", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** The last second formatted on this thread. */
    private static final class Cache {
        long isoSecond = Long.MIN_VALUE;
        String iso;
        long clfSecond = Long.MIN_VALUE;
        String clf;
    }

    private static final ThreadLocal<Cache> CACHE = ThreadLocal.withInitial(Cache::new);

    private TimeText() {}

    /** 2026-11-25T17:05:35.123Z; "-" when null. */
    static void appendIso(Instant t, StringBuilder sb) {
        if (t == null) {
            sb.append('-');
            return;
        }
        Cache c = CACHE.get();
        long second = t.getEpochSecond();
        if (second != c.isoSecond) {
            c.iso = ISO_SECONDS.format(t);
            c.isoSecond = second;
        }
        int millis = t.getNano() / 1_000_000;
        sb.append(c.iso).append('.');
        if (millis < 100) {
            sb.append('0');
        }
        if (millis < 10) {
            sb.append('0');
        }
        sb.append(millis).append('Z');
    }

    /** 25/Nov/2026:17:05:35 +0000; "-" when null. */
    static void appendClf(Instant t, StringBuilder sb) {
        if (t == null) {
            sb.append('-');
            return;
        }
        Cache c = CACHE.get();
        long second = t.getEpochSecond();
        if (second != c.clfSecond) {
            c.clf = CLF.format(t);
            c.clfSecond = second;
        }
        sb.append(c.clf);
    }
}
