package dev.cachalot.conformance.http;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads one HTTP/1.1 line (head line, chunk-size line, trailer line) from a byte stream: bytes up
 * to LF, as ISO-8859-1 characters, without the LF and a CR before it (RFC 9112 §2.2). The two
 * entry points differ only in what end-of-stream means to the caller.
 */
public final class LineReader {
    private LineReader() {
    }

    /**
     * Reads a line, tolerating end-of-stream: returns the partial line read before it, or null when
     * the stream ended before any byte (the client side, which must report cut responses).
     */
    public static String readLenient(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        if (readInto(in, sb, Integer.MAX_VALUE)) {
            return sb.toString();
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    /**
     * Reads a line that must be complete: throws an {@link EOFException} naming {@code where} when
     * the stream ends first, and an IOException when the line exceeds {@code maxLength} characters.
     */
    public static String readStrict(InputStream in, int maxLength, String where) throws IOException {
        StringBuilder sb = new StringBuilder();
        if (readInto(in, sb, maxLength)) {
            return sb.toString();
        }
        throw new EOFException("connection closed " + where);
    }

    /** Appends the line's characters to {@code sb}; returns true at LF, false at end of stream. */
    private static boolean readInto(InputStream in, StringBuilder sb, int maxLength) throws IOException {
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int len = sb.length();
                if (len > 0 && sb.charAt(len - 1) == '\r') {
                    sb.setLength(len - 1);
                }
                return true;
            }
            sb.append((char) c);
            if (sb.length() > maxLength) {
                throw new IOException("line too long");
            }
        }
        return false;
    }
}
