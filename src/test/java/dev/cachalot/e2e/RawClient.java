package dev.cachalot.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** Sends exact bytes to 127.0.0.1 and reads what comes back until the server closes (or a timeout). */
public final class RawClient {
    private RawClient() {}

    /** The reply to some raw bytes, and whether the server closed the connection afterwards. */
    public record Reply(String text, boolean closed) {
        public int status() {
            if (!text.startsWith("HTTP/1.1 ") && !text.startsWith("HTTP/1.0 ")) {
                return -1;
            }
            return Integer.parseInt(text.substring(9, 12));
        }

        public String body() {
            int i = text.indexOf("\r\n\r\n");
            return i < 0 ? "" : text.substring(i + 4);
        }
    }

    public static Reply send(int port, String request) throws IOException {
        return send(port, request.getBytes(StandardCharsets.ISO_8859_1), 5000);
    }

    public static Reply send(int port, byte[] request, int timeoutMillis) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(timeoutMillis);
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            boolean closed = false;
            try {
                int r;
                while ((r = in.read(buf)) != -1) {
                    got.write(buf, 0, r);
                }
                closed = true;
            } catch (SocketTimeoutException e) {
                closed = false;
            } catch (IOException e) {
                // a reset after the answer still counts as closed
                closed = true;
            }
            return new Reply(got.toString(StandardCharsets.ISO_8859_1), closed);
        }
    }
}
