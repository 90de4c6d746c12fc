package dev.cachalot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.Cachalot;
import dev.cachalot.config.ConfigLoader;
import dev.cachalot.metrics.ExchangeRecord;
import dev.cachalot.metrics.ProxyMetrics;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The metrics and access-log seams get one filled record per exchange, and connection events. */
class ExchangeRecordTest {
    /** Records what the front end reports. */
    static final class Recording implements ProxyMetrics {
        final List<ExchangeRecord> exchanges = new CopyOnWriteArrayList<>();
        final List<String> rejected = new CopyOnWriteArrayList<>();
        final List<String> origin = new CopyOnWriteArrayList<>();
        final AtomicInteger opened = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();

        @Override
        public void exchangeCompleted(ExchangeRecord record) {
            exchanges.add(record);
        }

        @Override
        public void originExchange(String route, int status, long nanos) {
            origin.add(route + " " + status);
        }

        @Override
        public void rejected(String reason) {
            rejected.add(reason);
        }

        @Override
        public void connectionOpened() {
            opened.incrementAndGet();
        }

        @Override
        public void connectionClosed() {
            closed.incrementAndGet();
        }
    }

    private static void await(java.util.function.BooleanSupplier c) throws InterruptedException {
        for (int i = 0; i < 100 && !c.getAsBoolean(); i++) {
            Thread.sleep(20);
        }
    }

    @Test
    void oneRecordPerExchangeForBothSeams() throws Exception {
        Recording metrics = new Recording();
        List<ExchangeRecord> log = new CopyOnWriteArrayList<>();
        try (TestOrigin origin = TestOrigin.fixed("hello")) {
            Cachalot proxy = Cachalot.builder(ConfigLoader.parse("test", "server:\n  listen: 127.0.0.1:0\n"
                    + "  defaultRoute: \"\"\nadmin:\n  enabled: false\nroutes:\n  - name: site\n    hosts: [site]\n"
                    + "    origin: " + origin.url() + "\n")).metrics(metrics).exchangeListener(log::add).start();
            try {
                RawClient.send(proxy.port(), "POST /p?q=1 HTTP/1.1\r\nHost: site\r\nContent-Length: 3\r\n"
                        + "Connection: close\r\n\r\nabc");
                RawClient.send(proxy.port(), "GET / HTTP/1.1\r\nHost: nowhere\r\nConnection: close\r\n\r\n");
                RawClient.send(proxy.port(), "GET / HTTP/1.1\r\nHost: site\r\nX : y\r\n\r\n");
                await(() -> log.size() >= 2 && metrics.closed.get() >= 3);
            } finally {
                proxy.close();
            }
        }
        assertEquals(2, log.size(), log.toString());
        assertEquals(log, metrics.exchanges);
        ExchangeRecord ok = log.get(0);
        assertEquals("POST", ok.method());
        assertEquals("/p?q=1", ok.target());
        assertEquals("site", ok.host());
        assertEquals("127.0.0.1", ok.client());
        assertEquals("HTTP/1.1", ok.protocol());
        assertEquals(200, ok.status());
        assertEquals(3, ok.bytesIn());
        assertEquals(5, ok.bytesOut());
        assertEquals("PASS", ok.outcome());
        assertEquals("site", ok.route());
        assertTrue(ok.originNanos() > 0 && ok.durationNanos() >= ok.originNanos(), ok.toString());
        assertTrue(!ok.requestId().isEmpty());
        ExchangeRecord miss = log.get(1);
        assertEquals(421, miss.status());
        assertEquals("NO_ROUTE", miss.outcome());
        assertEquals(-1, miss.originNanos());
        assertEquals(List.of("site 200"), metrics.origin);
        assertTrue(metrics.rejected.containsAll(List.of("unknown-host", "framing")), metrics.rejected.toString());
        assertEquals(3, metrics.opened.get());
        assertEquals(3, metrics.closed.get());
    }
}
