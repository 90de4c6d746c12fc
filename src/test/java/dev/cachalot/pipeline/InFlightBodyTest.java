package dev.cachalot.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** The fan-out body: bounded memory, late attach, lag detachment, clean end versus abort. */
class InFlightBodyTest {
    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i + seed);
        }
        return b;
    }

    @Test
    void everyReaderGetsAllBytesAndTheEnd() throws IOException {
        InFlightBody body = new InFlightBody(1 << 20);
        InputStream a = body.attach();
        InputStream b = body.attach();
        byte[] data = bytes(5000, 1);
        body.append(data, 0, 2000);
        body.append(data, 2000, 3000);
        body.complete();
        assertArrayEquals(data, a.readAllBytes());
        assertArrayEquals(data, b.readAllBytes());
    }

    @Test
    void anAbortedBodyIsAnErrorNotAnEnd() throws IOException {
        InFlightBody body = new InFlightBody(1 << 20);
        InputStream a = body.attach();
        body.append(bytes(10, 0), 0, 10);
        body.abort("cut");
        byte[] buf = new byte[100];
        // The failure is seen at once, even with bytes still buffered: the response is aborted anyway.
        assertThrows(IOException.class, () -> a.read(buf));
        assertNull(body.attach(), "nobody attaches to a failed body");
    }

    @Test
    void memoryStaysBoundedWithoutReadersAndLateAttachIsRefusedOncePrefixIsGone() {
        InFlightBody body = new InFlightBody(64 * 1024);
        byte[] chunk = bytes(16 * 1024, 0);
        for (int i = 0; i < 4; i++) {
            body.append(chunk, 0, chunk.length);
        }
        assertNotNull(body.attach(), "within the first lag window a late reader may still start at byte 0");
        InFlightBody big = new InFlightBody(64 * 1024);
        for (int i = 0; i < 1000; i++) {
            big.append(chunk, 0, chunk.length);
            assertTrue(big.bufferedBytes() <= 64 * 1024 + chunk.length, "buffer stays within the lag cap");
        }
        assertEquals(1000L * chunk.length, big.received());
        assertNull(big.attach());
    }

    @Test
    void aReaderBeyondTheLagCapIsDetachedWithItsOffsetAndMemoryIsReleased() throws IOException {
        InFlightBody body = new InFlightBody(32 * 1024);
        InputStream slow = body.attach();
        InputStream fast = body.attach();
        byte[] chunk = bytes(16 * 1024, 3);
        byte[] buf = new byte[8 * 1024];
        body.append(chunk, 0, chunk.length);
        assertEquals(8 * 1024, slow.read(buf));
        for (int i = 0; i < 10; i++) {
            body.append(chunk, 0, chunk.length);
            fast.readNBytes(chunk.length);
        }
        fast.readNBytes(chunk.length);
        assertEquals(1, body.laggedReaders());
        InFlightBody.LaggedException e = assertThrows(InFlightBody.LaggedException.class, () -> slow.read(buf));
        assertEquals(8 * 1024, e.offset());
        assertTrue(body.bufferedBytes() <= 32 * 1024 + chunk.length);
    }

    @Test
    void aClosedReaderNoLongerHoldsChunks() throws IOException {
        InFlightBody body = new InFlightBody(64 * 1024);
        InputStream r = body.attach();
        byte[] chunk = bytes(16 * 1024, 0);
        for (int i = 0; i < 5; i++) {
            body.append(chunk, 0, chunk.length);
            r.readNBytes(chunk.length / 2);
        }
        assertTrue(body.bufferedBytes() > 0);
        r.close();
        assertEquals(0, body.bufferedBytes());
    }
}
