package dev.cachalot.server;

import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpContinue;
import java.io.IOException;
import java.io.InputStream;

/**
 * The client's request body as a blocking stream, opened on first read. The first read sends
 * 100 Continue when the client asked for it (RFC 9110 §10.1.1), so a body is requested from the
 * client only once the origin has said it wants it. Counts the bytes for the access log.
 */
final class ClientBody extends InputStream {
    private final HttpServerExchange exchange;
    private final boolean present;
    private InputStream in;
    volatile long bytes;
    volatile boolean eof;
    volatile boolean opened;

    ClientBody(HttpServerExchange exchange, boolean present) {
        this.exchange = exchange;
        this.present = present;
        this.eof = !present;
    }

    private InputStream open() throws IOException {
        if (in == null) {
            opened = true;
            if (!present) {
                in = InputStream.nullInputStream();
            } else {
                if (HttpContinue.requiresContinueResponse(exchange)) {
                    HttpContinue.sendContinueResponseBlocking(exchange);
                }
                in = exchange.getInputStream();
            }
        }
        return in;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int r = read(one, 0, 1);
        return r < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int r = open().read(b, off, len);
        if (r < 0) {
            eof = true;
        } else {
            bytes += r;
        }
        return r;
    }

    /** True when a body exists and was not read to its end. */
    boolean unread() {
        return present && !eof;
    }
}
