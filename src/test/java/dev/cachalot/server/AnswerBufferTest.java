package dev.cachalot.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cachalot.store.BodyFile;
import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    private static byte[] filled(int n, char c) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) c);
        return b;
    }

    private static String text(ByteBuffer b) {
        return new String(bytes(b), StandardCharsets.ISO_8859_1);
    }

    @Test
    void aFileBodyIsReadOnceForItsBodyFileObjectAndEachAnswerGetsItsOwnHead(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("chunks");
        Files.write(p, "..0123456789..".getBytes(StandardCharsets.US_ASCII));
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            BodyFile body = new BodyFile(ch, 2, 10);
            byte[] head = "HEAD-ONE\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            ByteBuffer d = AnswerBuffer.ofFile(head, head.length, body);
            assertTrue(d.isDirect());
            assertEquals("HEAD-ONE\r\n\r\n0123456789", text(d));
            // The region's bytes change on disk (the store never does this to a servable entry): the same
            // BodyFile object is not read again, so the change does not show; a head of another length
            // still sits right before the body.
            ch.write(ByteBuffer.wrap("ABCDEFGHIJ".getBytes(StandardCharsets.US_ASCII)), 2);
            byte[] longer = "A-LONGER-HEAD\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            assertEquals("A-LONGER-HEAD\r\n\r\n0123456789", text(AnswerBuffer.ofFile(longer, longer.length, body)));
            assertEquals("H\r\n\r\n0123456789", text(AnswerBuffer.ofFile("H\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 5, body)));
            // Another BodyFile object, even for an equal region, is read from the file.
            BodyFile equal = new BodyFile(ch, 2, 10);
            assertEquals(body, equal);
            assertEquals("HEAD-ONE\r\n\r\nABCDEFGHIJ", text(AnswerBuffer.ofFile(head, head.length, equal)));
        }
    }

    @Test
    void anAnswerReachingIntoTheKeptBodyMakesTheNextFileAnswerReadAgain(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("chunks");
        byte[] content = filled(20_000, 'a');
        Files.write(p, content);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            BodyFile body = new BodyFile(ch, 0, 16_384);
            byte[] head = filled(300, 'h');
            assertEquals(300 + 16_384, AnswerBuffer.ofFile(head, head.length, body).remaining());
            ch.write(ByteBuffer.wrap(filled(16_384, 'b')), 0);
            // A small answer in between stays below HEAD_ROOM: the kept body is still used as it is.
            AnswerBuffer.of(filled(200, 's'), 200, ByteBuffer.wrap(filled(1024, 'x')));
            ByteBuffer again = AnswerBuffer.ofFile(head, head.length, body);
            assertEquals(new String(filled(300, 'h')) + new String(filled(16_384, 'a')), text(again));
            // An answer over HEAD_ROOM overwrites it: the next file answer reads the file again.
            AnswerBuffer.of(filled(300, 's'), 300, ByteBuffer.wrap(filled(AnswerBuffer.HEAD_ROOM, 'x')));
            ByteBuffer reread = AnswerBuffer.ofFile(head, head.length, body);
            assertEquals(new String(filled(300, 'h')) + new String(filled(16_384, 'b')), text(reread));
        }
    }

    @Test
    void aBodyThatCouldNotBeReadIsNotKept(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("chunks");
        Files.write(p, filled(100, 'a'));
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            BodyFile pastTheEnd = new BodyFile(ch, 50, 100); // the file ends inside the region
            byte[] head = filled(10, 'h');
            assertThrows(EOFException.class, () -> AnswerBuffer.ofFile(head, head.length, pastTheEnd));
            assertThrows(EOFException.class, () -> AnswerBuffer.ofFile(head, head.length, pastTheEnd),
                    "the second answer reads again instead of sending what the failed read left");
        }
    }

    @Test
    void aHeadLongerThanTheRoomBeforeTheBodyStillMakesOneBuffer(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("chunks");
        Files.write(p, filled(4096, 'a'));
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            BodyFile body = new BodyFile(ch, 0, 4096);
            byte[] head = filled(AnswerBuffer.HEAD_ROOM + 1, 'h');
            assertEquals(new String(head, StandardCharsets.ISO_8859_1) + new String(filled(4096, 'a')),
                    text(AnswerBuffer.ofFile(head, head.length, body)));
        }
    }
}
