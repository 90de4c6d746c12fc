package dev.cachalot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cachalot.config.CachalotConfig;
import dev.cachalot.config.ConfigLoader;
import dev.cachalot.config.ServerConfig;
import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.RequestHead;
import dev.cachalot.http.ResponseHead;
import dev.cachalot.metrics.ExchangeRecord;
import dev.cachalot.metrics.ProxyMetrics;
import dev.cachalot.origin.OriginClient;
import dev.cachalot.origin.OriginResponse;
import dev.cachalot.origin.StaticOriginResponse;
import dev.cachalot.origin.OriginTarget;
import dev.cachalot.origin.ProxyHeaders;
import dev.cachalot.origin.RequestBody;
import dev.cachalot.origin.TrustedProxies;
import dev.cachalot.pipeline.CachingPipeline;
import dev.cachalot.pipeline.OriginAdmission;
import dev.cachalot.pipeline.PipelineConfig;
import dev.cachalot.policy.PolicyConfig;
import dev.cachalot.policy.RequestRules;
import dev.cachalot.policy.RouteOverrides;
import dev.cachalot.purge.BanList;
import dev.cachalot.purge.PurgeService;
import dev.cachalot.store.CacheStore;
import dev.cachalot.store.StoreConfig;
import dev.cachalot.store.TieredCacheStore;
import dev.cachalot.store.tier.CaffeineTier;
import dev.cachalot.store.tier.ChronicleTier.LeaseStats;
import dev.cachalot.testing.MutableClock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Two plain listeners over ONE caching pipeline and memory store: {@link #on} with the hit
 * shortcut, {@link #off} without it, so the same stored entry can be fetched through both paths and
 * the answers compared byte for byte. The origin is an in-process {@link OriginClient} that
 * serves objects the test defines and counts requests; time is a {@link MutableClock}; purges go
 * through a real {@link PurgeService} (in-memory bans). Everything on 127.0.0.1, ephemeral ports.
 */
final class ShortcutFixture implements AutoCloseable {
    static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");
    static final String HOST = "example.test";

    final MutableClock clock = new MutableClock(T0);
    final Origin origin = new Origin();
    final CacheStore store;
    final PurgeService purge;
    final CachingPipeline pipeline;
    final Recorder onRecords = new Recorder();
    final Recorder offRecords = new Recorder();
    final ProxyServer on;
    final ProxyServer off;

    ShortcutFixture() throws Exception {
        this(64L << 20);
    }

    ShortcutFixture(long maxObjectBytes) throws Exception {
        this(null, maxObjectBytes, 2, 0);
    }

    /** With {@code ioThreads} I/O threads per listener (1: every connection is served by the same thread). */
    static ShortcutFixture withIoThreads(int ioThreads) throws Exception {
        return new ShortcutFixture(null, 64L << 20, ioThreads, 0);
    }

    /** Both listeners admit at most {@code maxConcurrentRequests} requests at once. */
    static ShortcutFixture withAdmissionLimit(int maxConcurrentRequests) throws Exception {
        return new ShortcutFixture(null, 64L << 20, 2, maxConcurrentRequests);
    }

    /**
     * Over a disk-only tiered store in {@code dir} (memory tier off): the I/O-thread fast path, and so
     * the shortcut, answers disk hits with leased zero-copy views.
     */
    static ShortcutFixture diskOnly(Path dir) throws Exception {
        return new ShortcutFixture(dir, 0, 2, 0);
    }

    /**
     * Over a tiered store in {@code dir} whose memory tier holds views of the disk's chunks
     * ({@code cache.memory.bodies: mapped}, bodies up to 1 MiB): hits are memory view hits.
     */
    static ShortcutFixture withMemoryViews(Path dir) throws Exception {
        return new ShortcutFixture(dir, 1L << 20, 2, 0);
    }

    /** The disk tier's lease counters (disk-only fixture). */
    LeaseStats leases() {
        return ((TieredCacheStore) store).diskTier().orElseThrow().leaseStats();
    }

    private ShortcutFixture(Path diskDir, long maxObjectBytes, int ioThreads, int maxConcurrentRequests)
            throws Exception {
        CacheStore fast;
        if (diskDir == null) {
            CaffeineTier memory = new CaffeineTier(256L << 20, maxObjectBytes, clock);
            store = memory;
            fast = memory;
        } else {
            TieredCacheStore tiered = TieredCacheStore.open(StoreConfig.builder().directory(diskDir)
                    .memoryMaxBytes(maxObjectBytes == 0 ? 0 : 64L << 20).memoryMaxObjectBytes(maxObjectBytes)
                    .diskMaxBytes(64L << 20).maxObjectBytes(16L << 20)
                    .diskMaxEntries(1000).build(), clock);
            store = tiered;
            fast = tiered.ioThreadStore();
        }
        PolicyConfig policy = PolicyConfig.defaults();
        purge = new PurgeService(store, policy, authority -> RouteOverrides.NONE, clock, BanList.inMemory(clock),
                List.of());
        ProxyHeaders headers = new ProxyHeaders("cachalot", new TrustedProxies(List.of()));
        pipeline = new CachingPipeline(store, fast, origin, headers, policy, route -> RouteOverrides.NONE,
                RequestRules.NONE, PipelineConfig.defaults(), clock, ProxyMetrics.noop(), Runnable::run,
                OriginAdmission.ALL, purge.gate());
        OriginTarget route = new OriginTarget("default", "http", "127.0.0.1", 9, null);
        VirtualHosts hosts = new VirtualHosts(List.of(new VirtualHosts.Route(route, List.of(HOST))), "default");
        CachalotConfig config = ConfigLoader.parse("shortcut-test",
                "server:\n  listen: 127.0.0.1:0\n  ioThreads: " + ioThreads + "\n"
                        + (maxConcurrentRequests > 0 ? "  limits:\n    maxConcurrentRequests: " + maxConcurrentRequests + "\n" : "")
                        + "routes:\n  - name: default\n    origin: http://127.0.0.1:9\n");
        ServerConfig s = config.server();
        ServerConfig withShortcut = new ServerConfig(s.listen(), s.tls(), s.ioThreads(), s.limits(),
                s.allowBodyOnGetHead(), s.trustedProxies(), s.unknownHost(), s.defaultRoute(), s.via(),
                s.shutdownTimeout(), true);
        ServerConfig without = new ServerConfig(s.listen(), s.tls(), s.ioThreads(), s.limits(),
                s.allowBodyOnGetHead(), s.trustedProxies(), s.unknownHost(), s.defaultRoute(), s.via(),
                s.shutdownTimeout(), false);
        on = new ProxyServer(withShortcut, pipeline, hosts, headers, onRecords.asMetrics, onRecords.asLog, clock);
        off = new ProxyServer(without, pipeline, hosts, headers, offRecords.asMetrics, offRecords.asLog, clock);
        on.start(null);
        off.start(null);
    }

    /** {@code n} pseudo-random bytes from {@code seed}: a test object's body, the same for the same seed. */
    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Fills the cache through the Undertow listener {@link #off} (a miss), then checks that the next one is a hit. */
    void fill(String request) throws IOException {
        Response miss = exchange(off, request);
        assertEquals(200, miss.status(), miss.head());
        Response hit = exchange(off, request);
        assertEquals("HIT", hit.header("X-Cache-Status"), hit.head());
    }

    /** Requests the shortcut of {@link #on} has answered. */
    long shortcutAnswers() {
        return on.hitShortcut().answered();
    }

    /** Times an I/O thread of {@link #on} gave its CPU away after shortcut answers. */
    long shortcutYields() {
        return on.hitShortcut().yields();
    }

    /** Shortcut answers whose write had to wait for the socket. */
    long deferredWrites() {
        return on.hitShortcut().deferred();
    }

    Socket connect(ProxyServer server) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.plainAddress().getPort());
        socket.setSoTimeout(60_000);
        return socket;
    }

    @Override
    public void close() {
        on.close();
        off.close();
        try {
            store.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A plain GET for {@code target} with the Host and the extra lines given (each "Name: value"). */
    static String get(String target, String... lines) {
        return request("GET", target, lines);
    }

    static String request(String method, String target, String... lines) {
        StringBuilder b = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: ")
                .append(HOST).append("\r\n");
        for (String l : lines) {
            b.append(l).append("\r\n");
        }
        return b.append("\r\n").toString();
    }

    static void send(Socket s, String requests) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(requests.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** One raw response: the exact bytes of head and body, and the parsed status, fields and body. */
    record Response(byte[] raw, String head, int status, byte[] body) {
        String header(String name) {
            for (String line : head.split("\r\n")) {
                int c = line.indexOf(':');
                if (c > 0 && line.substring(0, c).equalsIgnoreCase(name)) {
                    return line.substring(c + 1).trim();
                }
            }
            return null;
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** Reads exactly one response from {@code in} (Content-Length framed; no body when {@code noBody}). */
    static Response read(InputStream in, boolean noBody) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after " + raw.size() + " bytes: " + raw);
            }
            raw.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        String head = raw.toString(StandardCharsets.ISO_8859_1);
        int status = Integer.parseInt(head.substring(9, 12));
        Response h = new Response(null, head, status, new byte[0]);
        String cl = h.header("Content-Length");
        byte[] body = new byte[0];
        if (!noBody && cl != null) {
            body = in.readNBytes(Integer.parseInt(cl));
            if (body.length != Integer.parseInt(cl)) {
                throw new IOException("body cut off at " + body.length + " of " + cl);
            }
            raw.write(body);
        }
        return new Response(raw.toByteArray(), head, status, body);
    }

    /** Sends one request on a new connection of {@code server} and reads its answer. */
    Response exchange(ProxyServer server, String request) throws IOException {
        try (Socket s = connect(server)) {
            send(s, request);
            return read(s.getInputStream(), request.startsWith("HEAD "));
        }
    }

    /** The access-log and metrics side of a listener: every record given to each. */
    static final class Recorder {
        final LinkedBlockingQueue<ExchangeRecord> metrics = new LinkedBlockingQueue<>();
        final LinkedBlockingQueue<ExchangeRecord> log = new LinkedBlockingQueue<>();
        /** Connections the listener counted as closed (its close listener runs once per connection). */
        final AtomicInteger closed = new AtomicInteger();

        /**
         * The next record of {@code q}, waiting at most 30 s: a record is made when the last byte has been
         * handed to the socket, which may be just after the client has read it.
         */
        static ExchangeRecord next(LinkedBlockingQueue<ExchangeRecord> q) throws InterruptedException {
            ExchangeRecord r = q.poll(30, TimeUnit.SECONDS);
            if (r == null) {
                throw new AssertionError("no exchange record within 30 s");
            }
            return r;
        }
        final ExchangeListener asLog = log::add;
        final ProxyMetrics asMetrics = new ProxyMetrics() {
            @Override
            public void exchangeCompleted(ExchangeRecord record) {
                metrics.add(record);
            }

            @Override
            public void originExchange(String route, int status, long nanos) {
            }

            @Override
            public void rejected(String reason) {
            }

            @Override
            public void connectionOpened() {
            }

            @Override
            public void connectionClosed() {
                closed.incrementAndGet();
            }
        };
    }

    /**
     * The test origin: objects by path (body and extra response fields), a request counter per path,
     * and a version number per path that a test bumps to see whether a fresh copy was fetched.
     */
    static final class Origin implements OriginClient {
        final Map<String, byte[]> bodies = new ConcurrentHashMap<>();
        final Map<String, String[]> fields = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
        /** Paths answered without a Date field (the cache then adds one per answer, RFC 9110 §6.6.1). */
        final java.util.Set<String> undated = ConcurrentHashMap.newKeySet();
        /** Paths whose answer waits until their latch is released (a request that holds its slot). */
        final Map<String, CountDownLatch> holds = new ConcurrentHashMap<>();

        /** From now on, requests for {@code path} wait for the returned latch (at most 60 s). */
        CountDownLatch hold(String path) {
            CountDownLatch latch = new CountDownLatch(1);
            holds.put(path, latch);
            return latch;
        }

        void put(String path, byte[] body, String... extraFields) {
            bodies.put(path, body);
            fields.put(path, extraFields);
        }

        /** As {@link #put}, answered without Date. */
        void putUndated(String path, byte[] body) {
            put(path, body);
            undated.add(path);
        }

        int requests(String path) {
            AtomicInteger n = hits.get(path);
            return n == null ? 0 : n.get();
        }

        @Override
        public OriginResponse send(OriginTarget target, RequestHead head, RequestBody body) {
            String path = head.path();
            hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            CountDownLatch hold = holds.get(path);
            if (hold != null) {
                try {
                    hold.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] b = bodies.get(path);
            HeaderFields.Builder h = HeaderFields.builder();
            if (b == null) {
                b = "not here".getBytes(StandardCharsets.UTF_8);
                h.add("Content-Type", "text/plain").add("Content-Length", Integer.toString(b.length));
                return response(new ResponseHead(404, h.build()), b, head);
            }
            if (!undated.contains(path)) {
                h.add("Date", "Wed, 25 Nov 2026 12:00:00 GMT");
            }
            h.add("Cache-Control", "public, max-age=600")
                    .add("ETag", "\"" + Integer.toHexString(java.util.Arrays.hashCode(b)) + "\"")
                    .add("Content-Type", "application/octet-stream")
                    .add("Content-Length", Integer.toString(b.length));
            h.addAll(HeaderFields.of(fields.get(path)));
            return response(new ResponseHead(200, h.build()), b, head);
        }

        private static OriginResponse response(ResponseHead rh, byte[] b, RequestHead req) {
            byte[] sent = req.isMethod("HEAD") ? new byte[0] : b;
            InputStream in = new ByteArrayInputStream(sent);
            return new StaticOriginResponse(rh, in, b.length, 1000);
        }

        @Override
        public PoolStats poolStats() {
            return new PoolStats(0, 0, 0, 0);
        }

        @Override
        public void close() {
        }
    }
}
