package dev.cachalot.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cachalot.metrics.ExchangeRecord;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AccessLogFormatTest {
    private static final Instant T = Instant.parse("2026-11-25T17:05:35.007Z");

    private static ExchangeRecord record(String target, long originNanos, String route) {
        return new ExchangeRecord(T, "req-1", "192.0.2.7", "GET", target, "example.test", "HTTP/1.1", 200, 0, 1234,
                1_234_567, originNanos, "HIT", route);
    }

    @Test
    void combinedFormatWritesTheDocumentedLine() {
        String line = AccessLogFormat.of("combined").format(record("/hello?a=1", -1, "main"));
        assertEquals("192.0.2.7 - - [25/Nov/2026:17:05:35 +0000] \"GET /hello?a=1 HTTP/1.1\" 200 1234 1.234 - HIT main req-1",
                line);
        assertEquals(line, AccessLogFormat.of(null).format(record("/hello?a=1", -1, "main")));
    }

    @Test
    void customPatternWithIsoTimeOriginTimeAndLiteralPercent() {
        AccessLogFormat f = AccessLogFormat.compile("%{time} %{host} %{originMs}ms 100%% %{durationUs} %{bytesIn}");
        assertEquals("2026-11-25T17:05:35.007Z example.test 2.500ms 100% 1234 0", f.format(record("/", 2_500_000, "")));
    }

    @Test
    void emptyAndNullStringsBecomeADash() {
        AccessLogFormat f = AccessLogFormat.compile("[%{route}] [%{requestId}]");
        ExchangeRecord r = new ExchangeRecord(T, null, "c", "GET", "/", "h", "HTTP/1.1", 200, 0, 0, 0, -1, "MISS", "");
        assertEquals("[-] [-]", f.format(r));
    }

    @Test
    void hostileTargetCannotBreakTheLineOrForgeAField() {
        String line = AccessLogFormat.of("combined").format(record("/a\"b\\c\nd\u0001", -1, "main"));
        assertFalse(line.contains("\n"));
        assertTrue(line.contains("\"GET /a\\x22b\\x5cc\\x0ad\\x01 HTTP/1.1\""), line);
    }

    @Test
    void millisecondsAreFormattedWithThreeDecimals() {
        StringBuilder sb = new StringBuilder();
        AccessLogField.appendMillis(5_000, sb);
        sb.append(' ');
        AccessLogField.appendMillis(0, sb);
        sb.append(' ');
        AccessLogField.appendMillis(12_345_678_901L, sb);
        sb.append(' ');
        AccessLogField.appendMillis(-5, sb);
        assertEquals("0.005 0.000 12345.678 0.000", sb.toString());
    }

    @Test
    void timeCacheFollowsTheSecondAndPadsMillis() {
        AccessLogFormat f = AccessLogFormat.compile("%{time}|%{timeClf}");
        ExchangeRecord a = new ExchangeRecord(Instant.parse("2026-01-02T03:04:05.000Z"), "r", "c", "GET", "/", "h", "p",
                200, 0, 0, 0, -1, "HIT", "x");
        ExchangeRecord b = new ExchangeRecord(Instant.parse("2026-01-02T03:04:06.090Z"), "r", "c", "GET", "/", "h", "p",
                200, 0, 0, 0, -1, "HIT", "x");
        assertEquals("2026-01-02T03:04:05.000Z|02/Jan/2026:03:04:05 +0000", f.format(a));
        assertEquals("2026-01-02T03:04:06.090Z|02/Jan/2026:03:04:06 +0000", f.format(b));
        assertEquals("2026-01-02T03:04:05.000Z|02/Jan/2026:03:04:05 +0000", f.format(a));
    }

    @Test
    void jsonLinesCarryEveryFieldWithTypes() throws Exception {
        String line = AccessLogFormat.of("json").format(record("/q\"uote\n", -1, "main"));
        assertFalse(line.contains("\n"));
        JsonNode n = new ObjectMapper().readTree(line);
        assertEquals(AccessLogField.values().length, n.size());
        assertEquals("2026-11-25T17:05:35.007Z", n.get("time").asText());
        assertEquals("/q\"uote\n", n.get("target").asText());
        assertEquals(200, n.get("status").asInt());
        assertTrue(n.get("status").isNumber());
        assertEquals(1.234, n.get("durationMs").asDouble(), 1e-9);
        assertTrue(n.get("originMs").isNull());
        assertEquals("HIT", n.get("outcome").asText());
        assertEquals("req-1", n.get("requestId").asText());
        JsonNode withOrigin = new ObjectMapper().readTree(AccessLogFormat.json().format(record("/", 3_000_000, "r")));
        assertEquals(3.0, withOrigin.get("originMs").asDouble(), 1e-9);
    }

    @Test
    void unknownPlaceholderIsRejectedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AccessLogFormat.compile("%{client} %{userAgent}"));
        assertTrue(e.getMessage().contains("%{userAgent}"), e.getMessage());
        assertTrue(e.getMessage().contains("requestId"), "lists the known names: " + e.getMessage());
    }

    @Test
    void malformedPatternsAreRejected() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AccessLogFormat.compile("%{client"))
                .getMessage().contains("unclosed"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> AccessLogFormat.compile("50% done"))
                .getMessage().contains("%%"));
        assertThrows(IllegalArgumentException.class, () -> AccessLogFormat.compile("trailing %"));
        assertThrows(IllegalArgumentException.class, () -> AccessLogFormat.compile(null));
    }
}
