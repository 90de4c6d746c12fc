package dev.cachalot.forward;

import com.sun.net.httpserver.HttpServer;
import dev.cachalot.config.CachalotConfig;
import dev.cachalot.config.ConfigLoader;
import dev.cachalot.metrics.ProxyMetrics;
import dev.cachalot.origin.HttpOriginClient;
import dev.cachalot.origin.OriginClient;
import dev.cachalot.origin.ProxyHeaders;
import dev.cachalot.origin.TrustedProxies;
import dev.cachalot.server.ExchangeListener;
import dev.cachalot.server.PassThroughProcessor;
import dev.cachalot.server.ProxyServer;
import dev.cachalot.server.RequestProcessor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import org.apache.hc.client5.http.DnsResolver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A forward listener on loopback in front of a loopback origin, with a fake resolver and a
 * connect-counting socket connector. Every socket any of this opens goes to 127.0.0.1.
 */
final class ForwardHarness implements AutoCloseable {
    /** One request the origin received. */
    record Seen(String method, String uri, Map<String, List<String>> headers) {
    }

    final HttpServer origin;
    final AtomicInteger originHits = new AtomicInteger();
    final List<Seen> seen = new CopyOnWriteArrayList<>();
    final FakeResolver dns = new FakeResolver();
    final List<InetSocketAddress> connects = new CopyOnWriteArrayList<>();
    final Map<String, byte[]> files = new ConcurrentHashMap<>();
    /** Connections the guard let through to a non-loopback address (stopped here); must stay 0. */
    final AtomicInteger offLoopbackAttempts = new AtomicInteger();
    /** Cache-Control the origin sends for a path (default {@code max-age=60}; "" sends none). */
    final Map<String, String> cacheControl = new ConcurrentHashMap<>();
    /** When true, a path that is not in {@link #files} (nor the repository) gets 404 instead of an echo. */
    volatile boolean unknownIsNotFound;
    /** A Maven-layout directory served read-only under /maven2/ (files missing there: 404), or null. */
    Path repository;
    /** Extra lines for the {@code server:} section (indented two spaces). */
    String serverYaml = "";
    ServerSocket echo;
    Thread echoThread;
    ProxyServer proxy;
    HttpOriginClient client;
    ForwardProxy forward;

    ForwardHarness() throws IOException {
        origin = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        origin.createContext("/", ex -> {
            originHits.incrementAndGet();
            seen.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().toString(), Map.copyOf(ex.getRequestHeaders())));
            ex.getRequestBody().readAllBytes();
            String path = ex.getRequestURI().getPath();
            byte[] b = files.get(path);
            int status = 200;
            if (b == null && repository != null && path.startsWith("/maven2/") && !path.contains("..")) {
                Path f = repository.resolve(path.substring("/maven2/".length()));
                if (Files.isRegularFile(f)) {
                    b = Files.readAllBytes(f);
                } else {
                    b = new byte[0];
                    status = 404;
                }
            }
            if (b == null && unknownIsNotFound) {
                b = new byte[0];
                status = 404;
            }
            if (b == null) {
                b = ("origin saw " + ex.getRequestURI()).getBytes(StandardCharsets.UTF_8);
            }
            // A day by default, not a minute: on a loaded machine one Maven build through the proxy took
            // over 60 s, so the second build found every entry stale and the "served from the cache"
            // checks failed.
            String cc = cacheControl.getOrDefault(path, "max-age=86400");
            if (!cc.isEmpty()) {
                ex.getResponseHeaders().add("Cache-Control", cc);
            }
            ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        origin.start();
    }

    int originPort() {
        return origin.getAddress().getPort();
    }

    /** Starts an echo server on loopback (for CONNECT tests) and returns its port. */
    int startEcho() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        echoThread = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    Thread t = new Thread(() -> {
                        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                            byte[] buf = new byte[4096];
                            int n;
                            while ((n = in.read(buf)) > 0) {
                                out.write(buf, 0, n);
                                out.flush();
                            }
                        } catch (IOException ignored) {
                            // the test closed its side
                        }
                    });
                    t.setDaemon(true);
                    t.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        echoThread.setDaemon(true);
        echoThread.start();
        return echo.getLocalPort();
    }

    /** Builds the processor behind the forward checks from the guarded origin client. */
    interface Inner {
        RequestProcessor create(OriginClient client, ProxyHeaders headers);
    }

    /** Starts the forward listener with {@code config} in front of the pass-through processor. */
    ForwardHarness start(ForwardConfig config) throws IOException {
        return start(config, (client, headers) -> new PassThroughProcessor(client, headers, ProxyMetrics.noop()));
    }

    /** Starts the forward listener with {@code config} (listen is forced to 127.0.0.1:0). */
    ForwardHarness start(ForwardConfig config, Inner inner) throws IOException {
        CachalotConfig c = ConfigLoader.parse("test", "server:\n  listen: 127.0.0.1:0\n  shutdownTimeout: 1s\n"
                + serverYaml + "origin:\n  connectTimeout: 2s\n  responseTimeout: 5s\n");
        ForwardConfig fc = config.withListen(new dev.cachalot.config.HostPort("127.0.0.1", 0));
        SocketConnector counting = (address, timeout) -> {
            connects.add(address);
            if (!address.getAddress().isLoopbackAddress()) {
                offLoopbackAttempts.incrementAndGet();
                throw new IOException("test tried to connect to a non-loopback address " + address);
            }
            return SocketConnector.plain().connect(address, timeout);
        };
        forward = ForwardProxy.create(fc, dns, counting);
        GuardedDnsResolver guarded = forward.dnsResolver();
        // Belt and braces for the test itself: even if the guard regressed, never connect off loopback.
        DnsResolver loopbackOnly = new DnsResolver() {
            @Override
            public InetAddress[] resolve(String host) throws UnknownHostException {
                InetAddress[] all = guarded.resolve(host);
                for (InetAddress a : all) {
                    if (!a.isLoopbackAddress()) {
                        offLoopbackAttempts.incrementAndGet();
                        throw new UnknownHostException("test harness refuses non-loopback " + a);
                    }
                }
                return all;
            }

            @Override
            public String resolveCanonicalHostname(String host) {
                return host;
            }
        };
        client = new HttpOriginClient(c.origin(), loopbackOnly);
        ProxyHeaders headers = new ProxyHeaders(c.server().via(), new TrustedProxies(c.server().trustedProxies()));
        proxy = forward.server(c.server(), inner.create(client, headers), headers,
                ProxyMetrics.noop(), ExchangeListener.none(), Clock.systemUTC());
        proxy.start(null);
        return this;
    }

    int port() {
        return proxy.plainAddress().getPort();
    }

    @Override
    public void close() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
        if (client != null) {
            client.close();
        }
        origin.stop(0);
        if (echo != null) {
            echo.close();
        }
    }
}
