package dev.cachalot.forward;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A minimal HTTP/1.1 client for forward-proxy tests: one absolute-form request per connection
 * ({@code Connection: close}) to the proxy on 127.0.0.1, the whole answer read until the proxy
 * closes, with a generous read timeout (never a timing assertion).
 */
final class ProxyClient {
    private static final int TIMEOUT_MILLIS = 60_000;

    private ProxyClient() {}

    /** A parsed answer. */
    record Reply(int status, List<String[]> fields, byte[] body) {
        /** The first value of a field (case-insensitive name), or null. */
        String field(String name) {
            for (String[] f : fields) {
                if (f[0].equalsIgnoreCase(name)) {
                    return f[1];
                }
            }
            return null;
        }

        /** The Cache-Status value (the last entry is ours), or "". */
        String cacheStatus() {
            String v = field("Cache-Status");
            return v == null ? "" : v;
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** GET {@code url} through the proxy with extra header lines ("Name: value"). */
    static Reply get(int proxyPort, String url, String... headers) throws IOException {
        return request(proxyPort, "GET", url, headers);
    }

    /** A request of {@code method} (no body) for {@code url} through the proxy, with extra header lines. */
    static Reply request(int proxyPort, String method, String url, String... headers) throws IOException {
        String authority = url.replaceFirst("^https?://", "").replaceFirst("/.*$", "");
        StringBuilder req = new StringBuilder(method).append(' ').append(url).append(" HTTP/1.1\r\nHost: ").append(authority)
                .append("\r\n");
        for (String h : headers) {
            req.append(h).append("\r\n");
        }
        req.append("Connection: close\r\n\r\n");
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxyPort)) {
            s.setSoTimeout(TIMEOUT_MILLIS);
            s.getOutputStream().write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            in.transferTo(got);
            return parse(got.toByteArray());
        }
    }

    /** Parses a whole HTTP/1.1 answer (Content-Length or close-delimited; chunked is decoded). */
    static Reply parse(byte[] raw) throws IOException {
        int end = -1;
        for (int i = 0; i + 3 < raw.length; i++) {
            if (raw[i] == '\r' && raw[i + 1] == '\n' && raw[i + 2] == '\r' && raw[i + 3] == '\n') {
                end = i;
                break;
            }
        }
        if (end < 0) {
            throw new IOException("no complete response head in " + raw.length + " bytes");
        }
        String[] lines = new String(raw, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
        int status = Integer.parseInt(lines[0].substring(9, 12));
        List<String[]> fields = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            int c = lines[i].indexOf(':');
            fields.add(new String[] {lines[i].substring(0, c), lines[i].substring(c + 1).trim()});
        }
        byte[] body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
        Reply r = new Reply(status, fields, body);
        String te = r.field("Transfer-Encoding");
        if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            body = dechunk(body);
        }
        String cl = r.field("Content-Length");
        if (cl != null && Long.parseLong(cl) != body.length) {
            throw new IOException("body has " + body.length + " bytes, Content-Length says " + cl);
        }
        return new Reply(status, fields, body);
    }

    private static byte[] dechunk(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (true) {
            int lineEnd = i;
            while (lineEnd + 1 < b.length && !(b[lineEnd] == '\r' && b[lineEnd + 1] == '\n')) {
                lineEnd++;
            }
            if (lineEnd + 1 >= b.length) {
                throw new IOException("chunked body cut off");
            }
            String size = new String(b, i, lineEnd - i, StandardCharsets.ISO_8859_1).split(";")[0].trim();
            int n = Integer.parseInt(size, 16);
            i = lineEnd + 2;
            if (n == 0) {
                return out.toByteArray();
            }
            out.write(b, i, n);
            i += n + 2;
        }
    }
}
