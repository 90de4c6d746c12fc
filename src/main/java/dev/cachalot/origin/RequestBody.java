package dev.cachalot.origin;

import java.io.IOException;
import java.io.InputStream;

/**
 * A request body to send to the origin, read once as a stream. The stream is opened only when the
 * origin is ready for the body (after a 100 Continue when the request carries Expect), so opening
 * it may be what tells the client to send its body.
 */
public interface RequestBody {
    /** Body length in bytes, or -1 when unknown (sent chunked). */
    long length();

    /** Opens the body stream; called at most once, only when the body is actually sent. */
    InputStream open() throws IOException;

    /** A body of known bytes (tests, small generated requests). */
    static RequestBody of(byte[] bytes) {
        return new RequestBody() {
            @Override
            public long length() {
                return bytes.length;
            }

            @Override
            public InputStream open() {
                return new java.io.ByteArrayInputStream(bytes);
            }
        };
    }

    /** A body read from a stream of the given length (-1 for unknown). */
    static RequestBody of(InputStream in, long length) {
        return new RequestBody() {
            @Override
            public long length() {
                return length;
            }

            @Override
            public InputStream open() {
                return in;
            }
        };
    }
}
