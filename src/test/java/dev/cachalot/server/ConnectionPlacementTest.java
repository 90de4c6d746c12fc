package dev.cachalot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cachalot.config.CachalotConfig;
import dev.cachalot.config.ConfigLoader;
import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.ResponseHead;
import dev.cachalot.metrics.ProxyMetrics;
import dev.cachalot.origin.OriginTarget;
import dev.cachalot.origin.ProxyHeaders;
import dev.cachalot.origin.TrustedProxies;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The plain listener with {@code connectionPlacement: incoming-cpu}: our own accept loop serves
 * keep-alive connections through the whole server, each on the I/O thread {@link PlacementPolicy}
 * chose from a test-controlled "incoming CPU" (keyed by the client's port), counts per thread that
 * fall back to 0 when the connections close, and close() that stops accepting and frees the port.
 * The processor answers on the I/O thread with that thread's name, so every answer says who served it.
 */
class ConnectionPlacementTest {
    private static final String HOST = "example.test";

    /** Incoming CPU per client port; ports not listed are unknown (-1). */
    private final Map<Integer, Integer> cpuByClientPort = new ConcurrentHashMap<>();
    private final List<Socket> clients = new ArrayList<>();
    private ProxyServer server;

    private final IncomingCpu fakeCpus = channel -> {
        try {
            int port = ((InetSocketAddress) channel.getRemoteAddress()).getPort();
            return cpuByClientPort.getOrDefault(port, -1);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    };

    /** Answers every request from the I/O thread with that thread's name. */
    private static final RequestProcessor THREAD_NAME = new RequestProcessor() {
        @Override
        public boolean tryAnswerNow(ClientRequest request, ResponseSink sink) {
            byte[] body = Thread.currentThread().getName().getBytes(StandardCharsets.UTF_8);
            sink.sendComplete(new ResponseHead(200, HeaderFields.of("Content-Type", "text/plain")),
                    ByteBuffer.wrap(body));
            return true;
        }

        @Override
        public void process(ClientRequest request, ResponseSink sink) {
            throw new AssertionError("every request is answered on the I/O thread");
        }
    };

    private ProxyServer start(String placement, IncomingCpu cpus) throws IOException {
        CachalotConfig config = ConfigLoader.parse("placement-test",
                "server:\n  listen: 127.0.0.1:0\n  ioThreads: 2\n  hitShortcut: false\n  connectionPlacement: "
                        + placement + "\nroutes:\n  - name: default\n    origin: http://127.0.0.1:9\n");
        OriginTarget route = new OriginTarget("default", "http", "127.0.0.1", 9, null);
        VirtualHosts hosts = new VirtualHosts(List.of(new VirtualHosts.Route(route, List.of(HOST))), "default");
        ProxyHeaders headers = new ProxyHeaders("cachalot", new TrustedProxies(List.of()));
        server = new ProxyServer(config.server(), THREAD_NAME, hosts, headers, ProxyMetrics.noop(), r -> { },
                Clock.systemUTC());
        if (cpus != null) {
            server.incomingCpu(cpus);
        }
        server.start(null);
        return server;
    }

    @AfterEach
    void tearDown() throws IOException {
        for (Socket s : clients) {
            s.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /** A client socket whose "incoming CPU" is {@code cpu} (negative: unknown). */
    private Socket connect(int cpu) throws IOException {
        Socket s = new Socket();
        clients.add(s);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        if (cpu >= 0) {
            cpuByClientPort.put(s.getLocalPort(), cpu);
        }
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.plainAddress().getPort()), 30_000);
        s.setSoTimeout(60_000);
        return s;
    }

    /** One keep-alive GET on {@code s}; the answer's body (the serving thread's name). */
    private static String servedBy(Socket s) throws IOException {
        ShortcutFixture.send(s, "GET /x HTTP/1.1\r\nHost: " + HOST + "\r\n\r\n");
        ShortcutFixture.Response r = ShortcutFixture.read(s.getInputStream(), false);
        assertEquals(200, r.status(), r.head());
        return r.text();
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 30 s: " + what);
            }
            try {
                Thread.sleep(5); // bounded polling for the server's close handling (integration test)
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void keepAliveConnectionsAreServedByTheThreadOfTheirIncomingCpu() throws IOException {
        start("incoming-cpu", fakeCpus);
        PlacingAcceptor acceptor = server.acceptor();
        assertNotNull(acceptor);
        String thread0 = server.ioThread(0).getName();
        String thread1 = server.ioThread(1).getName();
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            // CPUs 0..3 on two threads: even CPUs belong to thread 0, odd ones to thread 1.
            sockets.add(connect(i % 4));
        }
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < sockets.size(); i++) {
                assertEquals(i % 2 == 0 ? thread0 : thread1, servedBy(sockets.get(i)), "connection " + i);
            }
        }
        assertEquals(20, acceptor.openOn(0));
        assertEquals(20, acceptor.openOn(1));
        assertEquals(40, server.openConnections());

        for (Socket s : sockets) {
            s.close();
        }
        await(() -> acceptor.openOn(0) == 0 && acceptor.openOn(1) == 0, "per-thread counts back to 0, now "
                + acceptor.openOn(0) + "/" + acceptor.openOn(1));
        await(() -> server.openConnections() == 0, "open connections back to 0");
    }

    @Test
    void theGuardSendsConnectionsElsewhereOnceOneThreadLeadsByTheSlack() throws IOException {
        start("incoming-cpu", fakeCpus);
        String thread0 = server.ioThread(0).getName();
        String thread1 = server.ioThread(1).getName();
        // The first 9 connections from CPU 0 fit within the slack of 8 (0 <= ... <= 8 more than thread 1).
        for (int i = 0; i <= PlacementPolicy.MIN_SLACK; i++) {
            assertEquals(thread0, servedBy(connect(0)));
        }
        // The 10th would lead by 9: the least-loaded thread takes it.
        assertEquals(thread1, servedBy(connect(0)));
        assertEquals(PlacementPolicy.MIN_SLACK + 1, server.acceptor().openOn(0));
        assertEquals(1, server.acceptor().openOn(1));
    }

    @Test
    void connectionsOfUnknownCpuAreSpreadEvenly() throws IOException {
        start("incoming-cpu", IncomingCpu.UNKNOWN);
        int on0 = 0;
        String thread0 = server.ioThread(0).getName();
        for (int i = 0; i < 10; i++) {
            if (servedBy(connect(-1)).equals(thread0)) {
                on0++;
            }
        }
        assertEquals(5, on0);
        assertEquals(5, server.acceptor().openOn(0));
        assertEquals(5, server.acceptor().openOn(1));
    }

    @Test
    void theRealIncomingCpuSourceServesConnections() throws IOException {
        // SocketIncomingCpu on this machine (or its unknown fallback elsewhere): either way every
        // connection is served and lands on a thread of the worker.
        start("incoming-cpu", null);
        for (int i = 0; i < 6; i++) {
            String name = servedBy(connect(-1));
            assertEquals(true, name.equals(server.ioThread(0).getName()) || name.equals(server.ioThread(1).getName()),
                    name);
        }
        assertEquals(6, server.acceptor().openOn(0) + server.acceptor().openOn(1));
    }

    @Test
    void closeStopsAcceptingAndFreesThePort() throws IOException {
        start("incoming-cpu", fakeCpus);
        int port = server.plainAddress().getPort();
        Socket before = connect(1);
        assertEquals(server.ioThread(1).getName(), servedBy(before));
        server.close();
        assertThrows(ConnectException.class,
                () -> SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)).close());
        try (ServerSocket again = new ServerSocket()) {
            again.setReuseAddress(true);
            again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            assertEquals(port, again.getLocalPort());
        }
    }

    @Test
    void randomPlacementKeepsXniosOwnPath() throws IOException {
        start("random", fakeCpus);
        assertNull(server.acceptor());
        Socket s = connect(0);
        String name = servedBy(s);
        assertEquals(true, name.equals(server.ioThread(0).getName()) || name.equals(server.ioThread(1).getName()),
                name);
    }
}
