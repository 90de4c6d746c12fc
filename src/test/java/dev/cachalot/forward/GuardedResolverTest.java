package dev.cachalot.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.junit.jupiter.api.Test;

class GuardedResolverTest {
    private static final AddressGuard LOOPBACK_OK = new AddressGuard(List.of(Cidr.parse("127.0.0.1/32")), List.of());

    @Test
    void blockedNameFailsWithTheRule() {
        FakeResolver dns = new FakeResolver().map("internal.example", "10.0.0.5");
        GuardedResolver r = new GuardedResolver(dns, AddressGuard.defaults());
        BlockedDestinationException e = assertThrows(BlockedDestinationException.class,
                () -> r.resolve("internal.example"));
        assertEquals("private 10.0.0.0/8", e.rule());
        assertTrue(e.getMessage().contains("internal.example"));
    }

    @Test
    void mixedAnswerKeepsOnlyAllowedAddresses() throws Exception {
        FakeResolver dns = new FakeResolver().map("mixed.example", "169.254.169.254", "127.0.0.1", "10.1.1.1");
        List<InetAddress> ok = new GuardedResolver(dns, LOOPBACK_OK).resolve("mixed.example");
        assertEquals(1, ok.size());
        assertEquals("127.0.0.1", ok.get(0).getHostAddress());
    }

    @Test
    void systemResolverTakesLiteralsWithoutDns() throws Exception {
        assertEquals("127.0.0.1", DestinationResolver.system().resolve("127.0.0.1").get(0).getHostAddress());
        assertEquals(16, DestinationResolver.system().resolve("[::1]").get(0).getAddress().length);
        assertThrows(UnknownHostException.class, () -> DestinationResolver.system().resolve("::zz"));
        BlockedDestinationException e = assertThrows(BlockedDestinationException.class,
                () -> new GuardedResolver(DestinationResolver.system(), AddressGuard.defaults()).resolve("127.0.0.1"));
        assertEquals("loopback 127.0.0.0/8", e.rule());
    }

    /**
     * HttpClient with the guarded DNS hook: the allowed name reaches a loopback origin; a name that
     * resolves to a private address fails before any connection (the origin's count is unchanged);
     * a rebinding name that first answers loopback and then 10.0.0.5 is refused on the second lookup.
     */
    @Test
    void httpClientConnectsOnlyToCheckedAddresses() throws Exception {
        AtomicInteger hits = new AtomicInteger();
        HttpServer origin = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        origin.createContext("/", ex -> {
            hits.incrementAndGet();
            byte[] b = "ok".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Connection", "close");
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        origin.start();
        int port = origin.getAddress().getPort();
        FakeResolver dns = new FakeResolver()
                .map("good.example", "127.0.0.1")
                .map("internal.example", "10.0.0.5")
                .map("rebind.example", "127.0.0.1").map("rebind.example", "10.0.0.5");
        PoolingHttpClientConnectionManager pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setDnsResolver(new GuardedDnsResolver(new GuardedResolver(dns, LOOPBACK_OK))).build();
        try (CloseableHttpClient client = HttpClients.custom().setConnectionManager(pool).build()) {
            String body = client.execute(new HttpGet("http://good.example:" + port + "/"),
                    r -> EntityUtils.toString(r.getEntity()));
            assertEquals("ok", body);
            assertEquals(1, hits.get());
            assertThrows(BlockedDestinationException.class,
                    () -> client.execute(new HttpGet("http://internal.example:" + port + "/"), r -> null));
            assertEquals(1, hits.get());
            // First lookup (our own pre-check elsewhere) sees loopback ...
            assertEquals("127.0.0.1", new GuardedResolver(dns, LOOPBACK_OK).resolve("rebind.example").get(0)
                    .getHostAddress());
            // ... the connect's own lookup gets the rebound answer and is refused: no connection.
            assertThrows(BlockedDestinationException.class,
                    () -> client.execute(new HttpGet("http://rebind.example:" + port + "/"), r -> null));
            assertEquals(1, hits.get());
        } finally {
            origin.stop(0);
        }
    }
}
