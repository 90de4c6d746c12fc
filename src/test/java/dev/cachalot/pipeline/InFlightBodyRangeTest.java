package dev.cachalot.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** {@link InFlightBody#attachAt}: readers that start mid-body (range requests served from a fill). */
class InFlightBodyRangeTest {
    private static byte[] seq(int from, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (from + i);
        }
        return b;
    }

    @Test
    void aReaderInsideTheHeldPrefixReadsFromItsOffsetAtOnce() throws IOException {
        InFlightBody body = new InFlightBody(1 << 20);
        body.append(seq(0, 100), 0, 100);
        InFlightBody.Attachment a = body.attachAt(40, 0);
        assertEquals(InFlightBody.Join.ATTACHED, a.outcome());
        assertEquals(60, a.reader().available());
        byte[] got = new byte[60];
        assertEquals(60, a.reader().read(got, 0, 60));
        assertEquals((byte) 40, got[0]);
        assertEquals((byte) 99, got[59]);
    }

    @Test
    void aReaderAheadWaitsForItsBytesAndReportsNothingAvailableMeanwhile() throws IOException {
        InFlightBody body = new InFlightBody(1 << 20);
        body.append(seq(0, 100), 0, 100);
        InFlightBody.Attachment a = body.attachAt(150, 100);
        assertEquals(InFlightBody.Join.ATTACHED, a.outcome());
        assertEquals(0, a.reader().available(), "not a negative count");
        body.append(seq(100, 100), 0, 100);
        InputStream in = a.reader();
        assertEquals(50, in.available());
        assertEquals((byte) 150, (byte) in.read());
        body.complete();
        assertEquals(49, in.readAllBytes().length);
    }

    @Test
    void tooFarAheadReleasedAndEndedAreRefused() {
        InFlightBody body = new InFlightBody(16 * 1024);
        body.append(new byte[20_000], 0, 20_000); // beyond the lag cap with no reader: the prefix is released
        assertEquals(InFlightBody.Join.RELEASED, body.attachAt(10, 1 << 20).outcome());
        assertEquals(InFlightBody.Join.TOO_FAR_AHEAD, body.attachAt(20_000 + 101, 100).outcome());
        assertEquals(InFlightBody.Join.ATTACHED, body.attachAt(20_000 + 100, 100).outcome());
        body.abort("cut");
        InFlightBody.Attachment a = body.attachAt(20_000, 100);
        assertEquals(InFlightBody.Join.ENDED, a.outcome());
        assertNull(a.reader());
    }

    @Test
    void aCompleteBodyWhoseBytesWereReleasedSendsTheReaderToTheStore() {
        InFlightBody body = new InFlightBody(16 * 1024);
        body.append(new byte[20_000], 0, 20_000);
        body.complete();
        assertEquals(InFlightBody.Join.ENDED, body.attachAt(10, 1 << 20).outcome());
    }

    @Test
    void anAttachedRangeReaderSeesAnAbortAsAnError() {
        InFlightBody body = new InFlightBody(1 << 20);
        body.append(seq(0, 10), 0, 10);
        InputStream in = body.attachAt(5, 0).reader();
        body.abort("origin reset");
        assertThrows(IOException.class, () -> in.read(new byte[10], 0, 10));
    }
}
