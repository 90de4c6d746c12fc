package dev.cachalot.pipeline;

import dev.cachalot.policy.RangePlan;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of an answer built from slices of a whole body read front to back: one range (206),
 * several ranges as multipart/byteranges (206), or the whole body (200). Used to answer a range
 * request from a fill in progress: the source is a reader of the arriving body positioned at the
 * first byte needed; bytes between parts are read and dropped; a reader detached for lagging
 * ({@link InFlightBody.LaggedException}) is replaced by the committed entry from the same offset.
 * A source that ends early or fails makes {@link #write} throw, so the caller aborts the response
 * (a cut-off answer never ends as if complete).
 */
final class RangeBody {
    private static final int BUFFER = 16 * 1024;

    /** Opens the rest of the whole body from {@code offset} (the committed entry) once the reader lagged. */
    @FunctionalInterface
    interface Rest {
        InputStream openAt(long offset) throws IOException;
    }

    /** One slice to send: the bytes to write before it (a part's delimiter and fields; may be empty), then the slice. */
    record Slice(byte[] before, long offset, long length) {}

    private final List<Slice> slices;
    private final byte[] trailer;
    private final long contentLength;

    private RangeBody(List<Slice> slices, byte[] trailer, long contentLength) {
        this.slices = List.copyOf(slices);
        this.trailer = trailer;
        this.contentLength = contentLength;
    }

    /** The body of a ranged plan ({@link RangePlan.Single} or {@link RangePlan.Multipart}). */
    static RangeBody of(RangePlan plan) {
        if (plan instanceof RangePlan.Single s) {
            return new RangeBody(List.of(new Slice(new byte[0], s.offset(), s.length())), new byte[0], s.length());
        }
        if (plan instanceof RangePlan.Multipart m) {
            List<Slice> out = new ArrayList<>(m.parts().size());
            for (RangePlan.Part p : m.parts()) {
                out.add(new Slice(p.head().getBytes(StandardCharsets.ISO_8859_1), p.offset(), p.length()));
            }
            return new RangeBody(out, m.trailer().getBytes(StandardCharsets.ISO_8859_1), m.contentLength());
        }
        throw new IllegalArgumentException("not a ranged plan: " + plan);
    }

    /** The whole body of {@code length} bytes. */
    static RangeBody whole(long length) {
        return new RangeBody(List.of(new Slice(new byte[0], 0, length)), new byte[0], length);
    }

    /** The first byte of the whole body this answer needs. */
    long firstOffset() {
        return slices.get(0).offset();
    }

    /** The exact length of the answer's body. */
    long contentLength() {
        return contentLength;
    }

    /**
     * Writes the answer's body to {@code out}, reading {@code source} from {@code sourceOffset} (at
     * most {@link #firstOffset()}); closes the source. Returns the number of source bytes read.
     *
     * @throws IOException when the source fails or ends before the last slice (the caller must abort
     *                     the response), or {@code out} fails
     */
    long write(InputStream source, long sourceOffset, OutputStream out, Rest rest) throws IOException {
        InputStream in = source;
        long pos = sourceOffset;
        byte[] buf = new byte[BUFFER];
        try {
            for (Slice s : slices) {
                out.write(s.before());
                long end = s.offset() + s.length();
                while (pos < end) {
                    boolean skipping = pos < s.offset();
                    long want = skipping ? s.offset() - pos : end - pos;
                    int n;
                    try {
                        n = in.read(buf, 0, (int) Math.min(buf.length, want));
                    } catch (InFlightBody.LaggedException e) {
                        // Too slow for the fan-out: continue from the committed entry at the same offset.
                        in.close();
                        in = rest.openAt(pos);
                        continue;
                    }
                    if (n < 0) {
                        throw new EOFException("body ended at byte " + pos + ", before byte " + end);
                    }
                    pos += n;
                    if (!skipping) {
                        out.write(buf, 0, n);
                        if (in.available() == 0) {
                            out.flush(); // the origin paused: hand over what we have instead of buffering it
                        }
                    }
                }
            }
            out.write(trailer);
            return pos - sourceOffset;
        } finally {
            in.close();
        }
    }
}
