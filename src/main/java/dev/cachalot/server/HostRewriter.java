package dev.cachalot.server;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The forward listener's replacement of the Host field by the authority of an absolute-form target,
 * done on the raw bytes as they pass the framing scanner (RFC 9112 §3.2.2: a proxy that receives an
 * absolute-form request-target MUST ignore the received Host field and replace it with the host
 * information of the request-target).
 *
 * <p>Why here and not in a handler: Undertow 2.4's HTTP/1.1 read listener always wraps the root
 * handler in its {@code HostHeaderHandler}, which answers 400 when the target is absolute and does
 * not contain the Host value. Rewriting the bytes below Undertow's parser means Undertow parses
 * {@code Host: <authority>} and every layer above sees one consistent request, the same as when the
 * client sent a matching Host (what real clients do). The received value is still checked first:
 * the scanner sees the original bytes, so a missing (HTTP/1.1), duplicate or invalid Host is refused
 * with 400 exactly as before, never rewritten. Only a Host field in a header section of a request
 * whose target is {@code scheme://authority...} with a valid authority is changed; request lines,
 * other fields, bodies, chunk lines, trailers and tunnel bytes pass through unchanged.
 *
 * <p>It works as a byte transducer between two buffers: {@link #transform} consumes input while the
 * output has room. The only growth is the inserted authority (at most one request line long), which
 * is kept in a pending insertion when the output fills up, so the memory used is bounded by the
 * request-line limit whatever the read splits. Not thread-safe: one per connection, used by its I/O
 * thread.
 */
final class HostRewriter {
    /** Parse states of the request target while looking for {@code scheme "://" authority}. */
    private static final int SCHEME_START = 0, SCHEME = 1, SLASH1 = 2, SLASH2 = 3, AUTHORITY = 4, AFTER = 5,
            NOT_ABSOLUTE = 6;

    private final FramingScanner scanner;

    private int target = SCHEME_START;
    private final StringBuilder authority = new StringBuilder(64);
    /** {@code " " + authority + "\r"} for the current request, or null when its Host is left alone. */
    private byte[] replacement;
    /** The part of a replacement not yet written because the output was full. */
    private byte[] insert;
    private int insertAt;

    /** Output bytes produced so far, and where the current message started in that count. */
    private long outOffset;
    private long outMessageStart;

    HostRewriter(FramingScanner scanner) {
        this.scanner = scanner;
    }

    /** True while part of an inserted authority is still waiting for room in the output. */
    boolean pendingInsert() {
        return insert != null;
    }

    /**
     * Output bytes that belong to the current message (the one a violation is in): on a violation
     * these, as far as they have not been handed on yet, must be withheld.
     */
    long outputOfCurrentMessage() {
        return outOffset - outMessageStart;
    }

    /**
     * Scans and copies {@code in} (position to limit) into {@code out}, rewriting Host fields. Stops when
     * the input is used up, the output is full, or at a framing violation; {@code in}'s position is moved
     * past what was consumed.
     *
     * @return false at a framing violation (the scanner says which); the offending byte is not consumed
     */
    boolean transform(ByteBuffer in, ByteBuffer out) {
        if (!flushInsert(out)) {
            return true;
        }
        int i = in.position();
        int to = in.limit();
        while (i < to && out.hasRemaining()) {
            long opaque = scanner.opaqueBytesAhead();
            if (opaque > 0) {
                // Body or tunnel bytes: scanned in bulk (skipped) and copied unchanged.
                int n = (int) Math.min(opaque, Math.min(to - i, out.remaining()));
                scanner.scan(in, i, i + n);
                out.put(in.duplicate().limit(i + n).position(i));
                i += n;
                outOffset += n;
                continue;
            }
            if (scanner.betweenMessages()) {
                startMessage();
            }
            int b = in.get(i) & 0xFF;
            boolean inTarget = scanner.inRequestTarget();
            boolean hostValue = replacement != null && scanner.inHostValue();
            if (!scanner.scan(in, i, i + 1)) {
                in.position(i);
                return false;
            }
            i++;
            if (inTarget) {
                target(b);
            }
            if (hostValue) {
                // The received value (with its whitespace) is dropped; the CR that ends it brings the
                // replacement, CR included.
                if (b == '\r') {
                    insert = replacement;
                    insertAt = 0;
                    if (!flushInsert(out)) {
                        break;
                    }
                }
                continue;
            }
            out.put((byte) b);
            outOffset++;
        }
        in.position(i);
        return true;
    }

    private void startMessage() {
        outMessageStart = outOffset;
        target = SCHEME_START;
        authority.setLength(0);
        replacement = null;
    }

    /** Follows the target byte by byte: RFC 3986 §3.1 scheme, "://", then the authority up to "/", "?", "#" or the end. */
    private void target(int b) {
        if (b == ' ') {
            endTarget();
            return;
        }
        switch (target) {
            case SCHEME_START:
                target = isAlpha(b) ? SCHEME : NOT_ABSOLUTE;
                break;
            case SCHEME:
                if (b == ':') {
                    target = SLASH1;
                } else if (!(isAlpha(b) || (b >= '0' && b <= '9') || b == '+' || b == '-' || b == '.')) {
                    target = NOT_ABSOLUTE;
                }
                break;
            case SLASH1:
                target = b == '/' ? SLASH2 : NOT_ABSOLUTE;
                break;
            case SLASH2:
                target = b == '/' ? AUTHORITY : NOT_ABSOLUTE;
                break;
            case AUTHORITY:
                if (b == '/' || b == '?' || b == '#') {
                    target = AFTER;
                } else {
                    authority.append((char) b); // bounded: the scanner limits the request line
                }
                break;
            default:
                break;
        }
    }

    private void endTarget() {
        if (target != AUTHORITY && target != AFTER) {
            return;
        }
        String a = authority.toString();
        // An authority with user information or an invalid host is left to the handlers (which refuse
        // it with a clear 400); the received Host then stays as it was.
        if (a.indexOf('@') >= 0 || !FramingScanner.validHost(a)) {
            return;
        }
        replacement = (" " + a + "\r").getBytes(StandardCharsets.US_ASCII);
    }

    private boolean flushInsert(ByteBuffer out) {
        if (insert == null) {
            return true;
        }
        int n = Math.min(out.remaining(), insert.length - insertAt);
        out.put(insert, insertAt, n);
        insertAt += n;
        outOffset += n;
        if (insertAt < insert.length) {
            return false;
        }
        insert = null;
        return true;
    }

    private static boolean isAlpha(int b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
    }
}
