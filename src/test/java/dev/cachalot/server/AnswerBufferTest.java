package dev.cachalot.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The I/O thread's answer buffer: head and body copied in order without moving the body, answers
 * too large for it refused, and the rest of a partly written answer kept apart from the thread's
 * buffer, which the next answer overwrites.
 */
class AnswerBufferTest {
    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    @Test
    void headThenBodyFromItsPositionTheBodyUnmoved() {
        byte[] head = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nunused tail".getBytes(StandardCharsets.US_ASCII);
        int headLength = head.length - "unused tail".length();
        ByteBuffer body = ByteBuffer.allocateDirect(10);
        body.put("xxabcxxxxx".getBytes(StandardCharsets.US_ASCII)).position(2).limit(5);
        ByteBuffer d = AnswerBuffer.of(head, headLength, body);
        assertTrue(d.isDirect());
        assertEquals("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", new String(bytes(d), StandardCharsets.US_ASCII));
        assertEquals(2, body.position());
        assertEquals(5, body.limit());
        ByteBuffer headOnly = AnswerBuffer.of(head, headLength, null);
        assertEquals(headLength, headOnly.remaining());
        assertSame(d, headOnly, "one buffer per thread");
    }

    @Test
    void anAnswerLargerThanTheBufferIsRefused() {
        byte[] head = new byte[100];
        assertNull(AnswerBuffer.of(head, head.length, ByteBuffer.allocate(AnswerBuffer.CAPACITY - 99)));
        assertEquals(AnswerBuffer.CAPACITY,
                AnswerBuffer.of(head, head.length, ByteBuffer.allocate(AnswerBuffer.CAPACITY - 100)).remaining());
    }

    @Test
    void theRestOfAPartlyWrittenAnswerSurvivesTheNextAnswer() {
        byte[] head = new byte[300];
        Arrays.fill(head, (byte) 'h');
        byte[] body = new byte[2000];
        Arrays.fill(body, (byte) 'b');
        ByteBuffer d = AnswerBuffer.of(head, head.length, ByteBuffer.wrap(body));
        d.position(1000); // the socket took the first 1,000 bytes
        ByteBuffer rest = AnswerBuffer.keepRest(d);
        assertNotSame(d, rest);
        byte[] other = new byte[2300];
        Arrays.fill(other, (byte) 'o');
        AnswerBuffer.of(other, other.length, null); // the next answer on this thread
        byte[] expected = new byte[1300];
        Arrays.fill(expected, (byte) 'b');
        assertArrayEquals(expected, bytes(rest));
        d = AnswerBuffer.of(head, head.length, null);
        d.position(d.limit());
        assertFalse(AnswerBuffer.keepRest(d).hasRemaining(), "all written: nothing kept");
    }
}
