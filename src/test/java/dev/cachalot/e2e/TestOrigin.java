package dev.cachalot.e2e;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A raw-socket HTTP/1.1 origin for tests, on 127.0.0.1 and an ephemeral port. It counts every
 * connection, request and byte it receives (so a test can prove a bad request never reached it)
 * and answers with whatever the test's handler writes.
 */
public final class TestOrigin implements AutoCloseable {
    /** One request as the origin received it. */
    public record Request(String method, String target, String version, List<String[]> headers, byte[] body,
                          boolean sawExpect) {
        public String header(String name) {
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    return h[1];
                }
            }
            return null;
        }

        public int count(String name) {
            int n = 0;
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    n++;
                }
            }
            return n;
        }
    }

    /** Writes the response for one request; the connection is kept unless it throws or closes. */
    @FunctionalInterface
    public interface Handler {
        void handle(Request request, OutputStream out, Socket socket) throws IOException;
    }

    private final ServerSocket server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-origin");
        t.setDaemon(true);
        return t;
    });
    private volatile Handler handler;
    /** When true, the origin answers 100 Continue before reading a body announced with Expect. */
    public volatile boolean sendContinue = true;
    public final AtomicInteger connections = new AtomicInteger();
    public final AtomicInteger requests = new AtomicInteger();
    public final AtomicLong bytesReceived = new AtomicLong();
    public final ConcurrentLinkedQueue<Request> received = new ConcurrentLinkedQueue<>();

    public TestOrigin(Handler handler) throws IOException {
        this.handler = handler;
        this.server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
        pool.execute(this::acceptLoop);
    }

    /** An origin answering every request 200 with the given body. */
    public static TestOrigin fixed(String body) throws IOException {
        return new TestOrigin((req, out, s) -> respond(out, 200, body.getBytes(StandardCharsets.UTF_8),
                "Content-Type", "text/plain"));
    }

    public void handler(Handler h) {
        this.handler = h;
    }

    public int port() {
        return server.getLocalPort();
    }

    public String url() {
        return "http://127.0.0.1:" + port();
    }

    public Request last() {
        Request r = null;
        for (Request x : received) {
            r = x;
        }
        return r;
    }

    /** Writes a complete response with Content-Length. */
    public static void respond(OutputStream out, int status, byte[] body, String... headers) throws IOException {
        StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(status).append(" X\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            sb.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        sb.append("Content-Length: ").append(body.length).append("\r\n\r\n");
        out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                pool.execute(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = new CountingInput(new BufferedInputStream(s.getInputStream()), bytesReceived);
            OutputStream out = s.getOutputStream();
            while (true) {
                Request r = readRequest(in, out);
                if (r == null) {
                    return;
                }
                requests.incrementAndGet();
                received.add(r);
                handler.handle(r, out, s);
                if (s.isClosed() || "close".equalsIgnoreCase(r.header("Connection"))) {
                    return;
                }
            }
        } catch (IOException e) {
            // connection ended
        }
    }

    private Request readRequest(InputStream in, OutputStream out) throws IOException {
        String line = readLine(in);
        if (line == null) {
            return null;
        }
        String[] parts = line.split(" ", 3);
        if (parts.length != 3) {
            throw new IOException("bad request line: " + line);
        }
        List<String[]> headers = new ArrayList<>();
        String h;
        while ((h = readLine(in)) != null && !h.isEmpty()) {
            int c = h.indexOf(':');
            headers.add(new String[] {h.substring(0, c), h.substring(c + 1).trim()});
        }
        String cl = null;
        String te = null;
        boolean expect = false;
        for (String[] x : headers) {
            String n = x[0].toLowerCase(Locale.ROOT);
            if (n.equals("content-length")) {
                cl = x[1];
            } else if (n.equals("transfer-encoding")) {
                te = x[1];
            } else if (n.equals("expect")) {
                expect = true;
            }
        }
        if (expect && sendContinue) {
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
        byte[] body;
        if (te != null) {
            body = readChunked(in);
        } else if (cl != null) {
            body = in.readNBytes(Integer.parseInt(cl));
        } else {
            body = new byte[0];
        }
        return new Request(parts[0], parts[1], parts[2], headers, body, expect);
    }

    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (true) {
            String size = readLine(in);
            if (size == null) {
                throw new IOException("eof in chunked body");
            }
            int semi = size.indexOf(';');
            int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
            if (n == 0) {
                while (true) {
                    String t = readLine(in);
                    if (t == null || t.isEmpty()) {
                        return b.toByteArray();
                    }
                }
            }
            b.write(in.readNBytes(n));
            readLine(in);
        }
    }

    static String readLine(InputStream in) throws IOException {
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
        return sb.length() == 0 ? null : sb.toString();
    }

    @Override
    public void close() throws IOException {
        server.close();
        pool.shutdownNow();
    }

    private static final class CountingInput extends InputStream {
        private final InputStream in;
        private final AtomicLong count;

        CountingInput(InputStream in, AtomicLong count) {
            this.in = in;
            this.count = count;
        }

        @Override
        public int read() throws IOException {
            int r = in.read();
            if (r >= 0) {
                count.incrementAndGet();
            }
            return r;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int r = in.read(b, off, len);
            if (r > 0) {
                count.addAndGet(r);
            }
            return r;
        }
    }
}
