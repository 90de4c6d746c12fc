package dev.cachalot.conformance.client;

import dev.cachalot.conformance.http.FieldList;
import dev.cachalot.conformance.http.LineReader;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The suite's HTTP/1.1 client on raw sockets: each exchange opens a new connection to the cache under test,
 * writes exact bytes and parses the response strictly enough to notice cut bodies and missing responses.
 */
public final class CacheClient {
    private final String host;
    private final int port;
    private final int timeoutMs;

    public CacheClient(String host, int port, int timeoutMs) {
        this.host = host;
        this.port = port;
        this.timeoutMs = timeoutMs;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The authority to put in Host for requests to the cache. */
    public String authority() {
        return host + ":" + port;
    }

    /** Sends one request and reads one response on a fresh connection. */
    public Response exchange(String method, String target, List<String[]> headers, byte[] body) throws IOException {
        StringBuilder sb = new StringBuilder();
        sb.append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        boolean hostSet = false;
        boolean lengthSet = false;
        for (String[] h : headers) {
            hostSet |= h[0].equalsIgnoreCase("Host");
            lengthSet |= h[0].equalsIgnoreCase("Content-Length") || h[0].equalsIgnoreCase("Transfer-Encoding");
        }
        if (!hostSet) {
            sb.append("Host: ").append(authority()).append("\r\n");
        }
        for (String[] h : headers) {
            sb.append(h[0]).append(": ").append(h[1]).append("\r\n");
        }
        if (body != null && !lengthSet) {
            sb.append("Content-Length: ").append(body.length).append("\r\n");
        }
        sb.append("\r\n");
        byte[] head = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = body == null ? head : concat(head, body);
        return raw(all, "HEAD".equals(method)).get(0);
    }

    /** Writes exact bytes, then reads responses until the connection closes or times out (at most {@code max});
     * {@code headFirst} says the first response answers a HEAD and so has no content. */
    public List<Response> rawMany(byte[] bytes, int max, int quietMs, boolean headFirst) throws IOException {
        List<Response> out = new ArrayList<>();
        try (Socket s = connect()) {
            s.setSoTimeout(quietMs);
            long start = System.nanoTime();
            s.getOutputStream().write(bytes);
            s.getOutputStream().flush();
            InputStream in = new BufferedInputStream(s.getInputStream());
            for (int i = 0; i < max; i++) {
                Response r;
                try {
                    r = read(in, headFirst && i == 0, start);
                } catch (SocketTimeoutException e) {
                    break;
                } catch (IOException e) {
                    break;
                }
                if (r.status() == 0) {
                    break;
                }
                out.add(r);
                if ("close".equalsIgnoreCase(r.header("Connection"))) {
                    break;
                }
            }
        }
        return out;
    }

    /** Writes exact bytes and reads one response; returns a status-0 response if the cache closed silently. */
    public List<Response> raw(byte[] bytes, boolean headRequest) throws IOException {
        long start = System.nanoTime();
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write(bytes);
            out.flush();
            InputStream in = new BufferedInputStream(s.getInputStream());
            try {
                return List.of(read(in, headRequest, start));
            } catch (IOException e) {
                return List.of(Response.none(millis(start)));
            }
        }
    }

    private Socket connect() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(host, port), timeoutMs);
        s.setSoTimeout(timeoutMs);
        s.setTcpNoDelay(true);
        return s;
    }

    private static Response read(InputStream in, boolean headRequest, long start) throws IOException {
        while (true) {
            String statusLine = LineReader.readLenient(in);
            if (statusLine == null) {
                return Response.none(millis(start));
            }
            long firstByte = millis(start);
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
                throw new IOException("bad status line: " + statusLine);
            }
            int status = Integer.parseInt(parts[1].trim());
            List<String[]> headers = new ArrayList<>();
            StringBuilder rawHead = new StringBuilder(statusLine).append("\r\n");
            String line;
            while ((line = LineReader.readLenient(in)) != null && !line.isEmpty()) {
                rawHead.append(line).append("\r\n");
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.add(new String[] {line.substring(0, colon).trim(), line.substring(colon + 1).trim()});
                }
            }
            if (status >= 100 && status < 200 && status != 101) {
                continue; // interim responses are skipped
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            boolean complete = true;
            String te = FieldList.first(headers, "Transfer-Encoding");
            String cl = FieldList.first(headers, "Content-Length");
            if (headRequest || status == 204 || status == 304) {
                // no body
            } else if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
                complete = readChunked(in, body);
            } else if (cl != null) {
                long n = Long.parseLong(cl.trim());
                byte[] b = in.readNBytes((int) n);
                body.write(b);
                complete = b.length == n;
            } else {
                try {
                    body.write(in.readAllBytes());
                } catch (SocketTimeoutException e) {
                    complete = false;
                }
            }
            return new Response(status, headers, body.toByteArray(), complete, firstByte, millis(start),
                    rawHead.toString());
        }
    }

    private static boolean readChunked(InputStream in, ByteArrayOutputStream body) throws IOException {
        while (true) {
            String line = LineReader.readLenient(in);
            if (line == null) {
                return false;
            }
            int semi = line.indexOf(';');
            String size = (semi >= 0 ? line.substring(0, semi) : line).trim();
            int n;
            try {
                n = Integer.parseInt(size, 16);
            } catch (NumberFormatException e) {
                return false;
            }
            if (n == 0) {
                String t;
                while ((t = LineReader.readLenient(in)) != null && !t.isEmpty()) {
                    // trailers ignored
                }
                return true;
            }
            byte[] b = in.readNBytes(n);
            body.write(b);
            if (b.length < n) {
                return false;
            }
            LineReader.readLenient(in);
        }
    }

    private static long millis(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
