package dev.cachalot.conformance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A deliberately wrong test double: a loopback proxy that forwards each request on a fresh origin connection
 * and, when {@code caching} is on, stores every GET response by path forever and replays it, ignoring all HTTP
 * caching rules. With caching off it is a pass-through proxy. Used to show that the suite's expectations fail
 * when a cache misbehaves and pass when the behaviour is right.
 */
final class BlindCache implements AutoCloseable {
    private final ServerSocket server;
    private final int originPort;
    private final boolean caching;
    private volatile String cacheStatusHit;
    private volatile String cacheStatusMiss;
    private final Map<String, byte[]> stored = new ConcurrentHashMap<>();
    private volatile boolean closed;

    BlindCache(int originPort, boolean caching) throws IOException {
        this(0, originPort, caching);
    }

    BlindCache(int port, int originPort, boolean caching) throws IOException {
        this.originPort = originPort;
        this.caching = caching;
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        Thread t = new Thread(this::loop, "blind-cache");
        t.setDaemon(true);
        t.start();
    }

    /** Adds these Cache-Status values (null for none) to responses replayed from storage and to forwarded ones. */
    BlindCache cacheStatus(String onHit, String onMiss) {
        this.cacheStatusHit = onHit;
        this.cacheStatusMiss = onMiss;
        return this;
    }

    int port() {
        return server.getLocalPort();
    }

    private void loop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> handle(s), "blind-cache-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void handle(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int state = 0;
            int c;
            while (state < 4 && (c = in.read()) >= 0) {
                head.write(c);
                state = (c == '\r' || c == '\n') ? state + 1 : 0;
            }
            String text = head.toString(StandardCharsets.ISO_8859_1);
            String[] rl = text.split(" ", 3);
            byte[] body = new byte[0];
            for (String line : text.split("\r\n")) {
                if (line.toLowerCase().startsWith("content-length:")) {
                    body = in.readNBytes(Integer.parseInt(line.substring(15).trim()));
                }
            }
            String key = rl[1];
            byte[] cached = caching && rl[0].equals("GET") ? stored.get(key) : null;
            String status = cacheStatusHit;
            if (cached == null) {
                status = cacheStatusMiss;
                // Forward with Connection: close so the origin's response ends at connection close.
                String forwarded = text.replaceFirst("\r\n", "\r\nConnection: close\r\n");
                try (Socket o = new Socket(InetAddress.getLoopbackAddress(), originPort)) {
                    o.getOutputStream().write(forwarded.getBytes(StandardCharsets.ISO_8859_1));
                    o.getOutputStream().write(body);
                    cached = o.getInputStream().readAllBytes();
                }
                if (caching && rl[0].equals("GET")) {
                    stored.put(key, cached);
                }
            }
            OutputStream out = client.getOutputStream();
            if (status != null) {
                String resp = new String(cached, StandardCharsets.ISO_8859_1);
                int eol = resp.indexOf("\r\n");
                cached = (resp.substring(0, eol + 2) + "Cache-Status: " + status + "\r\n" + resp.substring(eol + 2))
                        .getBytes(StandardCharsets.ISO_8859_1);
            }
            out.write(cached);
            out.flush();
        } catch (IOException | RuntimeException e) {
            // the client sees a closed connection
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
    }
}
