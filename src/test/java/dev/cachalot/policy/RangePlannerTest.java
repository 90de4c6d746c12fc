package dev.cachalot.policy;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.HttpDates;
import dev.cachalot.http.ResponseHead;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static dev.cachalot.policy.Fixtures.CONFIG;
import static dev.cachalot.policy.Fixtures.date;
import static dev.cachalot.policy.Fixtures.get;
import static dev.cachalot.policy.Fixtures.request;
import static dev.cachalot.policy.Fixtures.response;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RFC 9110 §14 ranges answered from a stored full response. */
class RangePlannerTest {

    private static StoredResponse full(long len, String... headers) {
        ResponseHead h = response(200, headers);
        return new StoredResponse(Fixtures.at(0), Fixtures.at(0), h, HeaderFields.empty(), len);
    }

    private static final StoredResponse BODY = full(10000, "ETag", "\"e\"", "Content-Type", "text/plain",
            "Date", date(0), "Last-Modified", date(-60));

    private static RangePlan plan(String range, String... more) {
        String[] h = new String[more.length + 2];
        h[0] = "Range";
        h[1] = range;
        System.arraycopy(more, 0, h, 2, more.length);
        return RangePlanner.plan(get("/", h), BODY, "SEP", CONFIG);
    }

    @Test
    void singleRangeGives206WithContentRange() {
        RangePlan.Single s = assertInstanceOf(RangePlan.Single.class, plan("bytes=0-499"));
        assertEquals(0, s.offset());
        assertEquals(500, s.length());
        assertEquals("bytes 0-499/10000", s.contentRange());
    }

    @Test
    void suffixAndOpenRanges() {
        assertEquals("bytes 9500-9999/10000", assertInstanceOf(RangePlan.Single.class, plan("bytes=-500")).contentRange());
        assertEquals("bytes 9500-9999/10000", assertInstanceOf(RangePlan.Single.class, plan("bytes=9500-")).contentRange());
        assertEquals("bytes 0-9999/10000", assertInstanceOf(RangePlan.Single.class, plan("bytes=-20000")).contentRange());
        assertEquals("bytes 9990-9999/10000", assertInstanceOf(RangePlan.Single.class, plan("bytes=9990-20000")).contentRange());
    }

    @Test
    void unsatisfiableRangeGives416WithLength() {
        assertEquals("bytes */10000", assertInstanceOf(RangePlan.Unsatisfiable.class, plan("bytes=10000-")).contentRange());
        assertInstanceOf(RangePlan.Unsatisfiable.class, plan("bytes=-0"));
    }

    @Test
    void invalidRangeIsIgnored() {
        assertInstanceOf(RangePlan.Full.class, plan("bytes=5-1"));
        assertInstanceOf(RangePlan.Full.class, plan("items=0-1"));
        assertInstanceOf(RangePlan.Full.class, plan("bytes=abc"));
        assertInstanceOf(RangePlan.Full.class, plan("bytes="));
    }

    @Test
    void rangeIsOnlyForGetOnA200() {
        assertInstanceOf(RangePlan.Full.class, RangePlanner.plan(request("HEAD", "/", "Range", "bytes=0-1"), BODY, "S", CONFIG));
        StoredResponse notOk = new StoredResponse(Fixtures.at(0), Fixtures.at(0), response(404), HeaderFields.empty(), 10);
        assertInstanceOf(RangePlan.Full.class, RangePlanner.plan(get("/", "Range", "bytes=0-1"), notOk, "S", CONFIG));
        assertInstanceOf(RangePlan.Full.class, RangePlanner.plan(get("/"), BODY, "S", CONFIG));
    }

    @Test
    void multipleRangesGiveMultipartByteranges() {
        RangePlan.Multipart m = assertInstanceOf(RangePlan.Multipart.class, plan("bytes=0-9, 100-109"));
        assertEquals("multipart/byteranges; boundary=SEP", m.contentType());
        assertEquals(2, m.parts().size());
        assertEquals("--SEP\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-9/10000\r\n\r\n", m.parts().get(0).head());
        assertEquals("\r\n--SEP\r\nContent-Type: text/plain\r\nContent-Range: bytes 100-109/10000\r\n\r\n",
                m.parts().get(1).head());
        assertEquals(100, m.parts().get(1).offset());
        long expected = 0;
        for (RangePlan.Part p : m.parts()) {
            expected += p.head().getBytes(StandardCharsets.ISO_8859_1).length + p.length();
        }
        expected += m.trailer().length();
        assertEquals(expected, m.contentLength());
        assertEquals("\r\n--SEP--\r\n", m.trailer());
    }

    @Test
    void overlappingRangesAreCoalesced() {
        RangePlan.Single s = assertInstanceOf(RangePlan.Single.class, plan("bytes=0-99, 50-149, 150-199"));
        assertEquals("bytes 0-199/10000", s.contentRange());
    }

    @Test
    void tooManyRangesAreIgnored() {
        StringBuilder sb = new StringBuilder("bytes=");
        for (int i = 0; i < 20; i++) {
            sb.append(i == 0 ? "" : ",").append(i * 100).append('-').append(i * 100 + 9);
        }
        assertEquals("too many ranges", assertInstanceOf(RangePlan.Full.class, plan(sb.toString())).reason());
    }

    @Test
    void ifRangeWithStrongMatchingEtagHonoursRange() {
        assertInstanceOf(RangePlan.Single.class, plan("bytes=0-1", "If-Range", "\"e\""));
        assertInstanceOf(RangePlan.Full.class, plan("bytes=0-1", "If-Range", "\"other\""));
        assertInstanceOf(RangePlan.Full.class, plan("bytes=0-1", "If-Range", "W/\"e\""));
    }

    @Test
    void ifRangeDateMustEqualStrongLastModified() {
        assertInstanceOf(RangePlan.Single.class, plan("bytes=0-1", "If-Range", date(-60)));
        assertInstanceOf(RangePlan.Full.class, plan("bytes=0-1", "If-Range", date(-61)));
        Instant t = Fixtures.at(0);
        StoredResponse weakLm = full(100, "Date", HttpDates.format(t), "Last-Modified", HttpDates.format(t));
        assertInstanceOf(RangePlan.Full.class, RangePlanner.plan(get("/", "Range", "bytes=0-1", "If-Range",
                HttpDates.format(t)), weakLm, "S", CONFIG));
    }

    @Test
    void byteRangeSetParsesAndResolves() {
        ByteRangeSet s = ByteRangeSet.parse("bytes=1-2, ,-3, 7-").orElseThrow();
        assertEquals(3, s.specs().size());
        assertEquals(List.of(new ByteRangeSet.Resolved(1, 2), new ByteRangeSet.Resolved(7, 9),
                new ByteRangeSet.Resolved(7, 9)), s.resolve(10));
        assertTrue(ByteRangeSet.overlapping(s.resolve(10)));
        assertEquals(List.of(), ByteRangeSet.parse("bytes=-5").orElseThrow().resolve(0));
    }

    @Test
    void headsForEachPlan() {
        ResponseHead stored = BODY.head();
        ResponseHead one = RangePlanner.head(stored, plan("bytes=0-9"));
        assertEquals(206, one.status());
        assertEquals("bytes 0-9/10000", one.headers().first("Content-Range"));
        assertEquals("10", one.headers().first("Content-Length"));
        assertEquals("\"e\"", one.headers().first("ETag"));
        RangePlan.Multipart m = assertInstanceOf(RangePlan.Multipart.class, plan("bytes=0-9,20-29"));
        ResponseHead multi = RangePlanner.head(stored, m);
        assertEquals("multipart/byteranges; boundary=SEP", multi.headers().first("Content-Type"));
        assertEquals(Long.toString(m.contentLength()), multi.headers().first("Content-Length"));
        ResponseHead unsat = RangePlanner.head(stored, plan("bytes=20000-"));
        assertEquals(416, unsat.status());
        assertEquals("bytes */10000", unsat.headers().first("Content-Range"));
        assertEquals("0", unsat.headers().first("Content-Length"));
        assertEquals(null, unsat.headers().first("Content-Type"));
        ResponseHead full = RangePlanner.head(stored, plan("bytes=5-1"));
        assertEquals(200, full.status());
        assertEquals("bytes", full.headers().first("Accept-Ranges"));
    }
}
