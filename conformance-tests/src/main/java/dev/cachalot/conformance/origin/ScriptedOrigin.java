package dev.cachalot.conformance.origin;

import dev.cachalot.conformance.http.LineReader;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The suite's origin server: a small HTTP/1.1 server on raw sockets (loopback only) that answers each request
 * with the script of the test owning the request's path ({@code /t/<test-id>/<nonce>/...}) and records what it
 * received, so that "was it served from cache?" is judged by the origin's request count.
 */
public final class ScriptedOrigin implements AutoCloseable {
    /** IMF-fixdate format (RFC 9110 §5.6.7). */
    public static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    private static final int MAX_HEAD = 64 * 1024;

    private final ServerSocket server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "origin");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, TestChannel> channels = new ConcurrentHashMap<>();
    private final List<String> strayRequests = new ArrayList<>();
    private final List<String> framingErrors = new ArrayList<>();
    private final AtomicLong connections = new AtomicLong();
    private volatile boolean closed;

    private ScriptedOrigin(ServerSocket server) {
        this.server = server;
    }

    /** Starts an origin on 127.0.0.1:{@code port} (0 picks a free port). */
    public static ScriptedOrigin start(int port) throws IOException {
        ServerSocket ss = new ServerSocket();
        ss.setReuseAddress(true);
        ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 512);
        ScriptedOrigin o = new ScriptedOrigin(ss);
        Thread acceptor = new Thread(o::acceptLoop, "origin-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        return o;
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Registers (or returns) the channel for a test key {@code <test-id>/<nonce>}. */
    public TestChannel channel(String key) {
        return channels.computeIfAbsent(key, k -> new TestChannel());
    }

    /** Requests whose path belongs to no test (for diagnostics). */
    public synchronized List<String> strayRequests() {
        return new ArrayList<>(strayRequests);
    }

    /** Bytes the origin could not parse as HTTP/1.1 requests (a sign of a desynchronised stream). */
    public synchronized List<String> framingErrors() {
        return new ArrayList<>(framingErrors);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                pool.execute(() -> serve(s, connections.incrementAndGet()));
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private void serve(Socket socket, long connId) {
        try (socket) {
            socket.setSoTimeout(30_000);
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (!closed) {
                byte[] head = readHead(in);
                if (head == null) {
                    return;
                }
                ParsedHead p = ParsedHead.parse(head);
                if (p == null) {
                    synchronized (this) {
                        framingErrors.add(new String(head, StandardCharsets.ISO_8859_1));
                    }
                    out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.ISO_8859_1));
                    return;
                }
                byte[] body;
                try {
                    body = readBody(in, p);
                } catch (java.io.EOFException e) {
                    // The sender aborted the request mid-body (e.g. a proxy that found the client's body invalid
                    // after it started streaming): an incomplete message, not a desynchronised stream.
                    return;
                } catch (IOException e) {
                    synchronized (this) {
                        framingErrors.add("bad body framing: " + e.getMessage() + " after "
                                + new String(head, StandardCharsets.ISO_8859_1));
                    }
                    out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                            .getBytes(StandardCharsets.ISO_8859_1));
                    return;
                }
                String key = testKey(p.target);
                TestChannel ch = key == null ? null : channels.get(key);
                Reply reply;
                RecordedRequest rec;
                if (ch == null) {
                    synchronized (this) {
                        strayRequests.add(p.method + " " + p.target);
                    }
                    rec = new RecordedRequest(p.method, p.target, p.version, p.headers, body, head, 0, connId);
                    reply = Reply.status(404).header("Cache-Control", "no-store").body("unknown test");
                } else {
                    synchronized (ch) {
                        rec = new RecordedRequest(p.method, p.target, p.version, p.headers, body, head,
                                ch.nextSequence(), connId);
                        ch.record(rec);
                    }
                    try {
                        reply = ch.script().respond(rec);
                    } catch (RuntimeException e) {
                        reply = Reply.status(500).header("Cache-Control", "no-store").body("script error: " + e);
                    }
                }
                boolean keepAlive = write(out, rec, reply);
                if (!keepAlive) {
                    return;
                }
            }
        } catch (SocketException e) {
            // peer closed or reset: nothing to do
        } catch (IOException | InterruptedException e) {
            // timeouts and aborted writes end the connection
        }
    }

    /** Extracts {@code <test-id>/<nonce>} from a request-target (origin-form or absolute-form). */
    static String testKey(String target) {
        String path = target;
        int scheme = path.indexOf("://");
        if (scheme >= 0) {
            int slash = path.indexOf('/', scheme + 3);
            if (slash < 0) {
                return null;
            }
            path = path.substring(slash);
        }
        if (!path.startsWith("/t/")) {
            return null;
        }
        int a = path.indexOf('/', 3);
        if (a < 0) {
            return null;
        }
        int b = a + 1;
        while (b < path.length() && path.charAt(b) != '/' && path.charAt(b) != '?') {
            b++;
        }
        return path.substring(3, b);
    }

    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(512);
        int c;
        int state = 0;
        // Skip empty lines before a request-line (RFC 9112 §2.2 lets servers ignore at least one).
        while (true) {
            c = in.read();
            if (c < 0) {
                return null;
            }
            if (c != '\r' && c != '\n') {
                buf.write(c);
                break;
            }
        }
        while (buf.size() < MAX_HEAD) {
            c = in.read();
            if (c < 0) {
                return buf.size() == 0 ? null : buf.toByteArray();
            }
            buf.write(c);
            if (c == '\n') {
                state++;
                if (state == 2) {
                    return buf.toByteArray();
                }
            } else if (c != '\r') {
                state = 0;
            }
        }
        return buf.toByteArray();
    }

    private static byte[] readBody(InputStream in, ParsedHead p) throws IOException {
        String te = p.header("Transfer-Encoding");
        if (te != null) {
            if (!te.trim().toLowerCase(Locale.ROOT).endsWith("chunked")) {
                throw new IOException("unsupported transfer coding " + te);
            }
            return readChunked(in);
        }
        List<String> cls = p.headers("Content-Length");
        if (cls.isEmpty()) {
            return new byte[0];
        }
        String cl = cls.get(0).trim();
        for (String other : cls) {
            if (!other.trim().equals(cl)) {
                throw new IOException("conflicting Content-Length " + cls);
            }
        }
        if (!cl.matches("[0-9]{1,12}")) {
            throw new IOException("invalid Content-Length " + cl);
        }
        int n = Integer.parseInt(cl);
        return in.readNBytes(n);
    }

    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String line = readLine(in);
            int semi = line.indexOf(';');
            String size = (semi >= 0 ? line.substring(0, semi) : line).trim();
            if (!size.matches("[0-9a-fA-F]{1,8}")) {
                throw new IOException("bad chunk size '" + line + "'");
            }
            int n = Integer.parseInt(size, 16);
            if (n == 0) {
                while (!readLine(in).isEmpty()) {
                    // trailer fields are ignored
                }
                return out.toByteArray();
            }
            out.write(in.readNBytes(n));
            if (!readLine(in).isEmpty()) {
                throw new IOException("missing CRLF after chunk data");
            }
        }
    }

    private static String readLine(InputStream in) throws IOException {
        return LineReader.readStrict(in, 8192, "inside chunked body");
    }

    private boolean write(OutputStream out, RecordedRequest req, Reply r) throws IOException, InterruptedException {
        if (r.delayMs > 0) {
            Thread.sleep(r.delayMs);
        }
        if (r.dropWithoutResponse) {
            return false;
        }
        if (r.raw != null) {
            out.write(r.raw);
            out.flush();
            return false;
        }
        boolean http10 = "HTTP/1.0".equals(req.version());
        boolean head = "HEAD".equals(req.method());
        boolean noBody = head || r.status == 204 || r.status == 304 || r.status < 200;
        boolean chunked = r.chunked && !http10 && !noBody;
        boolean close = r.close
                || (http10 ? !"keep-alive".equalsIgnoreCase(req.header("Connection"))
                           : "close".equalsIgnoreCase(req.header("Connection")));
        StringBuilder sb = new StringBuilder(256);
        sb.append("HTTP/1.1 ").append(r.status).append(' ').append(r.reason != null ? r.reason : reason(r.status))
                .append("\r\n");
        if (r.date && !r.has("Date")) {
            sb.append("Date: ").append(HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC))).append("\r\n");
        }
        for (String[] h : r.headers) {
            sb.append(h[0]).append(": ").append(h[1]).append("\r\n");
        }
        if (chunked) {
            sb.append("Transfer-Encoding: chunked\r\n");
        } else if (!r.noContentLength && r.status != 304 && r.status >= 200
                && r.status != 204 && !r.has("Content-Length")) {
            sb.append("Content-Length: ").append(r.body.length).append("\r\n");
        }
        if (close) {
            sb.append("Connection: close\r\n");
        }
        sb.append("\r\n");
        out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (!noBody) {
            int limit = r.truncateAfter >= 0 ? Math.min(r.truncateAfter, r.body.length) : r.body.length;
            int step = r.streamChunk > 0 ? r.streamChunk : Math.max(limit, 1);
            for (int off = 0; off < limit; off += step) {
                int n = Math.min(step, limit - off);
                if (chunked) {
                    out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                }
                out.write(r.body, off, n);
                if (chunked) {
                    out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                }
                out.flush();
                if (r.streamIntervalMs > 0 && off + n < limit) {
                    Thread.sleep(r.streamIntervalMs);
                }
            }
            if (r.truncateAfter >= 0) {
                out.flush();
                return false;
            }
            if (chunked) {
                out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        out.flush();
        return !close;
    }

    private static String reason(int status) {
        switch (status) {
            case 200: return "OK";
            case 201: return "Created";
            case 203: return "Non-Authoritative Information";
            case 204: return "No Content";
            case 206: return "Partial Content";
            case 301: return "Moved Permanently";
            case 302: return "Found";
            case 303: return "See Other";
            case 304: return "Not Modified";
            case 307: return "Temporary Redirect";
            case 308: return "Permanent Redirect";
            case 400: return "Bad Request";
            case 403: return "Forbidden";
            case 404: return "Not Found";
            case 405: return "Method Not Allowed";
            case 410: return "Gone";
            case 412: return "Precondition Failed";
            case 416: return "Range Not Satisfiable";
            case 500: return "Internal Server Error";
            case 501: return "Not Implemented";
            case 502: return "Bad Gateway";
            case 503: return "Service Unavailable";
            case 504: return "Gateway Timeout";
            default: return "Status";
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        pool.shutdownNow();
    }

    /** A parsed request head; null from {@link #parse} means the bytes are not a valid HTTP/1.x request. */
    static final class ParsedHead {
        String method;
        String target;
        String version;
        final List<String[]> headers = new ArrayList<>();

        static ParsedHead parse(byte[] raw) {
            String text = new String(raw, StandardCharsets.ISO_8859_1);
            String[] lines = text.split("\r?\n", -1);
            String[] rl = lines[0].split(" ", -1);
            if (rl.length != 3 || !rl[2].matches("HTTP/1\\.[01]") || !rl[0].matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")
                    || rl[1].isEmpty()) {
                return null;
            }
            ParsedHead p = new ParsedHead();
            p.method = rl[0];
            p.target = rl[1];
            p.version = rl[2];
            for (int i = 1; i < lines.length; i++) {
                String l = lines[i];
                if (l.isEmpty()) {
                    break;
                }
                if (l.startsWith(" ") || l.startsWith("\t")) {
                    return null; // obs-fold reached the origin: RFC 9112 §5.2 says a proxy must not forward it
                }
                int colon = l.indexOf(':');
                if (colon <= 0) {
                    return null;
                }
                p.headers.add(new String[] {l.substring(0, colon), l.substring(colon + 1).trim()});
            }
            return p;
        }

        String header(String name) {
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    return h[1];
                }
            }
            return null;
        }

        List<String> headers(String name) {
            List<String> out = new ArrayList<>();
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    out.add(h[1]);
                }
            }
            return out;
        }
    }
}
