package dev.cachalot.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.HttpDates;
import dev.cachalot.http.ResponseHead;
import io.undertow.util.Headers;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The hit shortcut's head bytes from a {@link PreparedHead.Template}: encoded once per template and
 * body length, then filled per request with Age, the Cache-Status ttl and an added Date; every
 * filled head must be byte for byte what {@link WireHead} encodes from the whole head of that
 * request (the Undertow path's bytes, which the socket tests compare with Undertow itself).
 */
class PreparedHeadTest {
    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");

    /** A shaped hit head: holes at Age (index 3), our Cache-Status (5) and, when {@code dated} is false, Date (6). */
    private static PreparedHead.Template template(boolean dated, String longValue) {
        HeaderFields h = HeaderFields.of("Content-Type", "application/octet-stream", "Connection", "close",
                "Cache-Control", "public, max-age=600", "Age", "0", "Cache-Status", "upstream; hit",
                "Cache-Status", "Cachalot;hit;ttl=600;detail=\"key\"",
                "Date", dated ? "Wed, 25 Nov 2026 11:00:00 GMT" : HttpDates.format(T0),
                "Content-Length", "999", "X-Long", longValue, "X-Cache-Status", "HIT");
        return new PreparedHead.Template(new ResponseHead(200, h), 3, 5, "Cachalot;hit;ttl=", ";detail=\"key\"",
                dated ? -1 : 6, "key");
    }

    /** What the Undertow path writes for {@code p}: the whole head through Undertow's header map. */
    private static byte[] expected(PreparedHead p, int length) {
        ResponseHead full = p.head();
        return new WireHead(full.status(), full.reason()).copy(full.headers(), false)
                .put(Headers.CONTENT_LENGTH, Integer.toString(length)).encode();
    }

    private static byte[] written(ShortcutSink sink) {
        ByteBuffer b = sink.headBuffer();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Test
    void everyRequestsHeadIsTheWholeHeadsEncodingAndTheTemplateIsEncodedOnce() {
        Random random = new Random(11);
        for (boolean dated : new boolean[] {true, false}) {
            for (String longValue : new String[] {"x", "y".repeat(700)}) {
                PreparedHead.Template t = template(dated, longValue);
                ShortcutSink sink = new ShortcutSink(5); // one per connection, reused request after request
                ByteBuffer body = ByteBuffer.wrap(new byte[1234]);
                for (int s = 0; s < 300; s++) {
                    long age = s < 2 ? new long[] {0, 2147483648L}[s] : random.nextInt(s < 150 ? 10 : 1_000_000_000);
                    long ttl = s == 2 ? -7 : 600 - random.nextInt(1000);
                    long second = T0.getEpochSecond() + random.nextInt(100_000);
                    PreparedHead p = new PreparedHead(t, age, ttl, second);
                    sink.reset(false);
                    sink.sendComplete(p, body.duplicate());
                    byte[] got = written(sink);
                    assertArrayEquals(expected(p, 1234), got, new String(got, StandardCharsets.ISO_8859_1));
                    String text = new String(got, StandardCharsets.ISO_8859_1);
                    assertTrue(text.contains("\r\nAge: " + age + "\r\n"), text);
                    assertTrue(text.contains("\r\nCache-Status: Cachalot;hit;ttl=" + ttl + ";detail=\"key\"\r\n"), text);
                    assertTrue(text.contains("\r\nDate: " + (dated ? "Wed, 25 Nov 2026 11:00:00 GMT"
                            : HttpDates.format(Instant.ofEpochSecond(second))) + "\r\n"), text);
                    assertEquals(200, sink.status);
                    assertSame(body.array(), sink.body.array());
                }
                assertEquals(1, t.encodings, "the template's bytes are built once, not per request or second");
            }
        }
    }

    @Test
    void anotherBodyLengthIsAnotherEncodingAndHeadRequestsGetNoBody() {
        PreparedHead.Template t = template(false, "x");
        ShortcutSink sink = new ShortcutSink(5);
        PreparedHead p = new PreparedHead(t, 5, 595, T0.getEpochSecond() + 5);
        sink.reset(true);
        sink.sendComplete(p, ByteBuffer.wrap(new byte[10]));
        assertArrayEquals(expected(p, 10), written(sink));
        assertNull(sink.body, "a HEAD answer has no body");
        sink.reset(false);
        sink.sendComplete(p, ByteBuffer.wrap(new byte[100_000]));
        assertArrayEquals(expected(p, 100_000), written(sink));
        assertEquals(2, t.encodings);
        // The connection's buffer is reused only for the very same inputs.
        PreparedHead.Template other = template(true, "z");
        PreparedHead[] sequence = {p, p, new PreparedHead(other, 5, 595, p.second()), p,
            new PreparedHead(t, 6, 595, p.second()), new PreparedHead(t, 6, 594, p.second()),
            new PreparedHead(t, 6, 594, p.second() + 1), new PreparedHead(t, 6, 594, p.second() + 1)};
        for (PreparedHead q : sequence) {
            sink.reset(false);
            sink.sendComplete(q, ByteBuffer.wrap(new byte[10]));
            assertArrayEquals(expected(q, 10), written(sink));
        }
    }

    @Test
    void numbersAreWrittenAsLongToStringWritesThem() {
        long[] edges = {0, 1, 9, 10, 99, 100, 2147483648L, 999_999_999_999_999_999L, 1_000_000_000_000_000_000L,
            Long.MAX_VALUE, -1, -9, -10, Long.MIN_VALUE, Long.MIN_VALUE + 1};
        Random random = new Random(3);
        for (int i = 0; i < 100_000; i++) {
            long v = i < edges.length ? edges[i] : random.nextLong() >> random.nextInt(64);
            String expected = Long.toString(v);
            assertEquals(expected.length(), WireHead.digits(v), expected);
            byte[] b = new byte[24];
            int end = WireHead.putLong(b, 2, v);
            assertEquals(expected, new String(b, 2, end - 2, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void aFixedHeadIsSentAsItIs() {
        ResponseHead h = new ResponseHead(200, HeaderFields.of("Date", "Wed, 25 Nov 2026 11:00:00 GMT", "Age", "3"));
        PreparedHead p = new PreparedHead(h);
        assertSame(h, p.head());
        ShortcutSink sink = new ShortcutSink(5);
        sink.reset(false);
        sink.sendComplete(p, ByteBuffer.wrap(new byte[3]));
        assertArrayEquals(expected(p, 3), written(sink));
        assertEquals(Arrays.toString(expected(p, 3)), Arrays.toString(written(sink)));
    }
}
