package dev.cachalot.resilience;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A strict raw HTTP/1.1 client for resilience tests, on 127.0.0.1 only: one request per connection,
 * and a response read by its own framing (Content-Length or chunked), so a test can tell a complete
 * response from one the server aborted (connection closed or reset before the framing said the
 * message ended). Never treats a cut-off body as complete.
 */
final class Http1 {
    /** How long a read may wait before the client gives up: generous, for loaded CI machines. */
    static final int READ_TIMEOUT_MS = 30_000;

    private Http1() {}

    /** How a response ended. */
    enum Ending {
        /** The framing was satisfied: Content-Length bytes, or the last chunk and trailers. */
        COMPLETE,
        /** The connection ended (EOF or reset) before the framing was satisfied, maybe before any byte. */
        ABORTED,
        /** Nothing more arrived for {@link #READ_TIMEOUT_MS}. */
        TIMED_OUT
    }

    /** A response as received; {@code status} is -1 when no status line arrived. */
    record Response(int status, Map<String, String> headers, byte[] body, Ending ending) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        boolean complete() {
            return ending == Ending.COMPLETE;
        }

        @Override
        public String toString() {
            return "status=" + status + " ending=" + ending + " headers=" + headers + " body(" + body.length + ")="
                    + (body.length > 200 ? text().substring(0, 200) + "..." : text());
        }
    }

    /** GET {@code path} with {@code Host: test}, plus header name/value pairs. */
    static Response get(int port, String path, String... headers) throws IOException {
        return exchange(port, "GET", path, headers);
    }

    static Response exchange(int port, String method, String path, String... headers) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(READ_TIMEOUT_MS);
            StringBuilder req = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: test\r\n");
            for (int i = 0; i < headers.length; i += 2) {
                req.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
            }
            req.append("\r\n");
            s.getOutputStream().write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return read(new BufferedInputStream(s.getInputStream()), method.equals("HEAD"), () -> { });
        }
    }

    /**
     * GET {@code path}; {@code afterHead} runs once the response head has arrived and before the
     * body is read (a test uses it to let the origin fail only after the client saw the head).
     */
    static Response get(int port, String path, Runnable afterHead) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(READ_TIMEOUT_MS);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return read(new BufferedInputStream(s.getInputStream()), false, afterHead);
        }
    }

    /** Reads one response from {@code in}; a HEAD response has no body whatever its fields say. */
    static Response read(InputStream in, boolean head, Runnable afterHead) {
        Map<String, String> fields = new LinkedHashMap<>();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int status = -1;
        try {
            String statusLine = line(in);
            if (statusLine == null) {
                return new Response(-1, fields, new byte[0], Ending.ABORTED);
            }
            status = Integer.parseInt(statusLine.substring(9, 12));
            String l;
            while ((l = line(in)) != null && !l.isEmpty()) {
                int c = l.indexOf(':');
                fields.merge(l.substring(0, c).trim().toLowerCase(Locale.ROOT), l.substring(c + 1).trim(),
                        (a, b) -> a + ", " + b);
            }
            if (l == null) {
                return new Response(status, fields, new byte[0], Ending.ABORTED);
            }
            afterHead.run();
            if (head || status == 204 || status == 304 || status / 100 == 1) {
                return new Response(status, fields, new byte[0], Ending.COMPLETE);
            }
            String te = fields.get("transfer-encoding");
            if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
                return chunked(in, status, fields, body);
            }
            String cl = fields.get("content-length");
            if (cl == null) {
                // Close-delimited: complete only at a clean EOF (a reset is an abort).
                in.transferTo(body);
                return new Response(status, fields, body.toByteArray(), Ending.COMPLETE);
            }
            long want = Long.parseLong(cl);
            byte[] buf = new byte[16 * 1024];
            while (body.size() < want) {
                int r = in.read(buf, 0, (int) Math.min(buf.length, want - body.size()));
                if (r < 0) {
                    return new Response(status, fields, body.toByteArray(), Ending.ABORTED);
                }
                body.write(buf, 0, r);
            }
            return new Response(status, fields, body.toByteArray(), Ending.COMPLETE);
        } catch (SocketTimeoutException e) {
            return new Response(status, fields, body.toByteArray(), Ending.TIMED_OUT);
        } catch (IOException | RuntimeException e) {
            return new Response(status, fields, body.toByteArray(), Ending.ABORTED);
        }
    }

    private static Response chunked(InputStream in, int status, Map<String, String> fields, ByteArrayOutputStream body)
            throws IOException {
        while (true) {
            String size = line(in);
            if (size == null) {
                return new Response(status, fields, body.toByteArray(), Ending.ABORTED);
            }
            int semi = size.indexOf(';');
            int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
            if (n == 0) {
                String t;
                while ((t = line(in)) != null && !t.isEmpty()) {
                    // trailer field
                }
                return new Response(status, fields, body.toByteArray(), t == null ? Ending.ABORTED : Ending.COMPLETE);
            }
            byte[] chunk = in.readNBytes(n);
            body.write(chunk);
            if (chunk.length < n || line(in) == null) {
                return new Response(status, fields, body.toByteArray(), Ending.ABORTED);
            }
        }
    }

    /** One CRLF-terminated line without the CRLF, or null at EOF before the line ended. */
    static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                int len = sb.length();
                if (len > 0 && sb.charAt(len - 1) == '\r') {
                    sb.setLength(len - 1);
                }
                return sb.toString();
            }
            sb.append((char) c);
        }
        return null;
    }
}
