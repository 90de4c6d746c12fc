package dev.cachalot.origin.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.config.OriginPoolConfig;
import dev.cachalot.config.OriginPoolConfig.Balance;
import dev.cachalot.config.OriginPoolConfig.Ejection;
import dev.cachalot.config.OriginPoolConfig.HealthCheck;
import dev.cachalot.config.OriginPoolConfig.Server;
import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.RequestHead;
import dev.cachalot.origin.OriginException;
import dev.cachalot.origin.OriginException.Kind;
import dev.cachalot.origin.OriginResponse;
import dev.cachalot.origin.OriginTarget;
import dev.cachalot.origin.RequestBody;
import dev.cachalot.origin.pool.ScriptedServers.Script;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The pool layer over a scripted inner client, a manual clock and a manual check scheduler: no sockets, no sleeps. */
class PooledOriginClientTest {
    private static final int A = 8001;
    private static final int B = 8002;
    private static final int BACKUP = 8003;
    private static final HealthCheck CHECK = new HealthCheck("/health", Duration.ofSeconds(5), Duration.ofSeconds(1),
            "200-399", 2, 3);
    private static final Ejection EJECT = new Ejection(2, false, Duration.ofSeconds(10), Duration.ofSeconds(60));

    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-25T12:00:00Z"));
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final ScriptedServers servers = new ScriptedServers();
    private final Map<Integer, Boolean> probeUp = new ConcurrentHashMap<>();
    private final HealthProbe probe = (server, check) -> probeUp.getOrDefault(server.port(), true)
            ? new HealthProbe.Outcome(true, "200") : new HealthProbe.Outcome(false, "origin refused the connection");

    private static String url(int port) {
        return "http://127.0.0.1:" + port;
    }

    private PooledOriginClient client(Balance balance, int maxRetries, HealthCheck hc, Ejection ej, Server... ss) {
        OriginPoolConfig cfg = new OriginPoolConfig(balance, List.of(ss), maxRetries, hc, ej);
        OriginPool pool = OriginPool.of("www", cfg, null);
        return new PooledOriginClient(servers, List.of(pool), clock, new HealthChecker(probe, scheduler, clock));
    }

    private PooledOriginClient twoServers(int maxRetries, HealthCheck hc, Ejection ej) {
        return client(Balance.ROUND_ROBIN, maxRetries, hc, ej, new Server(url(A), 1, false),
                new Server(url(B), 1, false));
    }

    private static final OriginTarget ROUTE = OriginTarget.parse("www", "http://127.0.0.1:9999", null);

    private static RequestHead req(String method, String path) {
        return new RequestHead(method, "http", "www.example.com", path, "HTTP/1.1",
                HeaderFields.of("Host", "www.example.com"));
    }

    /** Sends and returns the port of the server that answered. */
    private static int send(PooledOriginClient c, String method, String path, RequestBody body) throws Exception {
        try (OriginResponse r = c.send(ROUTE, req(method, path), body)) {
            String text = new String(r.body().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            return Integer.parseInt(text.substring("server ".length()));
        }
    }

    private static int get(PooledOriginClient c) throws Exception {
        return send(c, "GET", "/", null);
    }

    private static PoolMember member(PooledOriginClient c, int port) {
        return c.pool("www").members().stream().filter(m -> m.target().port() == port).findFirst().orElseThrow();
    }

    /** A body that remembers whether it was opened. */
    private static final class Body implements RequestBody {
        final AtomicBoolean opened = new AtomicBoolean();

        @Override
        public long length() {
            return 3;
        }

        @Override
        public InputStream open() {
            opened.set(true);
            return new ByteArrayInputStream(new byte[] {1, 2, 3});
        }
    }

    @Test
    void roundRobinAlternatesAndActiveRequestsReturnToZero() throws Exception {
        PooledOriginClient c = twoServers(1, HealthCheck.OFF, EJECT);
        OriginResponse open = c.send(ROUTE, req("GET", "/"), null);
        assertEquals(1, member(c, A).activeRequests() + member(c, B).activeRequests());
        open.abort();
        assertEquals(0, member(c, A).activeRequests() + member(c, B).activeRequests());
        for (int i = 0; i < 9; i++) {
            get(c);
        }
        assertEquals(5, servers.sentTo(A));
        assertEquals(5, servers.sentTo(B));
        assertEquals(0, member(c, A).activeRequests());
        assertEquals(5, member(c, A).requests());
    }

    @Test
    void aTargetOfARouteWithoutAPoolGoesStraightToTheInnerClient() throws Exception {
        PooledOriginClient c = twoServers(1, HealthCheck.OFF, EJECT);
        OriginTarget other = OriginTarget.parse("forward", "http://127.0.0.1:7000", null);
        c.send(other, req("GET", "/"), null).close();
        assertEquals(List.of(other), servers.sent);
    }

    @Test
    void aRefusedGetIsRetriedOnTheOtherServerAndCountsAgainstTheFirst() throws Exception {
        PooledOriginClient c = twoServers(1, HealthCheck.OFF, EJECT);
        servers.set(A, Script.fail(Kind.CONNECT_REFUSED));
        assertEquals(B, get(c), "round-robin picks A first; its refusal sends the request on to B");
        assertEquals(1, c.pool("www").retries());
        assertEquals(1, member(c, A).health().errors());
        assertEquals(0, member(c, A).activeRequests());
    }

    @Test
    void aRefusedPostIsNotRetried() {
        PooledOriginClient c = twoServers(1, HealthCheck.OFF, EJECT);
        servers.set(A, Script.fail(Kind.CONNECT_REFUSED));
        OriginException e = assertThrows(OriginException.class, () -> send(c, "POST", "/", new Body()));
        assertEquals(Kind.CONNECT_REFUSED, e.kind());
        assertEquals(0, servers.sentTo(B));
        assertEquals(0, c.pool("www").retries());
    }

    @Test
    void aPutWhoseBodyWasNeverOpenedIsRetriedButOneWhoseBodyWasOpenedIsNot() throws Exception {
        // A fresh round-robin pool picks A first.
        servers.set(A, Script.fail(Kind.CONNECT_REFUSED));
        Body fresh = new Body();
        assertEquals(B, send(twoServers(1, HealthCheck.OFF, Ejection.OFF), "PUT", "/x", fresh));

        servers.set(A, Script.failAfterOpeningBody(Kind.CONNECT_TIMEOUT));
        Body used = new Body();
        PooledOriginClient c = twoServers(1, HealthCheck.OFF, Ejection.OFF);
        OriginException e = assertThrows(OriginException.class, () -> send(c, "PUT", "/x", used));
        assertTrue(used.opened.get());
        assertEquals(Kind.CONNECT_TIMEOUT, e.kind(), "the body was read once: never sent again");
        assertEquals(1, servers.sentTo(B), "only the first PUT reached B");
        assertEquals(0, c.pool("www").retries());
    }

    @Test
    void aResetBeforeAnyResponseIsRetriedForABodilessGetButNotForARequestWithABody() throws Exception {
        servers.set(A, Script.fail(Kind.RESET));
        PooledOriginClient get = twoServers(1, HealthCheck.OFF, Ejection.OFF);
        assertEquals(B, get(get));
        assertEquals(1, get.pool("www").retries());

        PooledOriginClient put = twoServers(1, HealthCheck.OFF, Ejection.OFF);
        OriginException e = assertThrows(OriginException.class, () -> send(put, "PUT", "/x", new Body()));
        assertEquals(Kind.RESET, e.kind(), "a request with a body is not repeated after a reset");
        assertEquals(1, servers.sentTo(B), "only the GET reached B");
    }

    @Test
    void responseTimeoutsAndInvalidResponsesAreNeverRetried() {
        for (Kind k : List.of(Kind.RESPONSE_TIMEOUT, Kind.INVALID_RESPONSE)) {
            servers.sent.clear();
            PooledOriginClient c = twoServers(1, HealthCheck.OFF, Ejection.OFF);
            servers.set(A, Script.fail(k));
            OriginException e = assertThrows(OriginException.class, () -> get(c));
            assertEquals(k, e.kind());
            assertEquals(0, servers.sentTo(B), k + " must not be asked again elsewhere");
        }
    }

    @Test
    void whenEveryServerRefusesTheLastFailureStandsNotNoHealthyServer() {
        PooledOriginClient c = twoServers(3, HealthCheck.OFF, Ejection.OFF);
        servers.set(A, Script.fail(Kind.CONNECT_REFUSED));
        servers.set(B, Script.fail(Kind.CONNECT_REFUSED));
        OriginException e = assertThrows(OriginException.class, () -> get(c));
        assertEquals(Kind.CONNECT_REFUSED, e.kind());
        assertEquals(2, servers.sent.size(), "each server tried once, whatever maxRetries says");
    }

    @Test
    void consecutiveErrorsEjectAServerUntilTheBackOffEnds() throws Exception {
        PooledOriginClient c = twoServers(0, HealthCheck.OFF, EJECT);
        servers.set(A, Script.fail(Kind.CONNECT_REFUSED));
        assertThrows(OriginException.class, () -> get(c)); // A: error 1
        assertEquals(B, get(c));
        assertThrows(OriginException.class, () -> get(c)); // A: error 2 -> ejected for 10 s
        assertEquals(ServerHealth.State.EJECTED, member(c, A).health().state(clock.instant()));
        for (int i = 0; i < 6; i++) {
            assertEquals(B, get(c), "an ejected server gets no requests");
        }
        servers.set(A, Script.ok());
        clock.advance(Duration.ofSeconds(9));
        assertEquals(B, get(c));
        clock.advance(Duration.ofSeconds(1));
        int a = 0;
        for (int i = 0; i < 4; i++) {
            a += get(c) == A ? 1 : 0;
        }
        assertEquals(2, a, "back after the ejection period");
    }

    @Test
    void fiveHundredsEjectOnlyWhenConfigured() throws Exception {
        PooledOriginClient off = twoServers(0, HealthCheck.OFF, EJECT);
        servers.set(A, Script.status(503));
        for (int i = 0; i < 6; i++) {
            get(off);
        }
        assertTrue(member(off, A).health().available(clock.instant()), "on5xx: false");
        PooledOriginClient on = twoServers(0, HealthCheck.OFF, new Ejection(2, true, Duration.ofSeconds(10),
                Duration.ofSeconds(60)));
        for (int i = 0; i < 4; i++) {
            get(on);
        }
        assertEquals(ServerHealth.State.EJECTED, member(on, A).health().state(clock.instant()));
        assertEquals(2, member(on, A).health().errors());
    }

    @Test
    void healthChecksTakeAServerOutAndBringItBackOnTheSchedule() throws Exception {
        PooledOriginClient c = twoServers(0, CHECK, Ejection.OFF);
        assertEquals(2, scheduler.size(), "one check task per server");
        scheduler.runDue(); // the first checks run at once
        assertTrue(member(c, A).health().lastCheck().passed());
        probeUp.put(A, false);
        scheduler.advance(Duration.ofSeconds(5));
        scheduler.advance(Duration.ofSeconds(5));
        assertTrue(member(c, A).health().available(clock.instant()), "2 failed checks < unhealthyThreshold 3");
        scheduler.advance(Duration.ofSeconds(5));
        assertEquals(ServerHealth.State.UNHEALTHY, member(c, A).health().state(clock.instant()));
        for (int i = 0; i < 4; i++) {
            assertEquals(B, get(c));
        }
        probeUp.put(A, true);
        scheduler.advance(Duration.ofSeconds(5));
        assertFalse(member(c, A).health().available(clock.instant()), "1 pass < healthyThreshold 2");
        scheduler.advance(Duration.ofSeconds(5));
        assertTrue(member(c, A).health().available(clock.instant()));
        int a = 0;
        for (int i = 0; i < 4; i++) {
            a += get(c) == A ? 1 : 0;
        }
        assertEquals(2, a);
        c.close();
        assertTrue(scheduler.closed && servers.closed, "close stops the checks and the inner client");
    }

    @Test
    void noHealthyServerIsA503KindWithRetryAfterFromTheSoonestRecovery() throws Exception {
        PooledOriginClient c = twoServers(0, HealthCheck.OFF, EJECT);
        servers.set(A, Script.fail(Kind.CONNECT_REFUSED));
        servers.set(B, Script.fail(Kind.CONNECT_REFUSED));
        for (int i = 0; i < 4; i++) {
            assertThrows(OriginException.class, () -> get(c));
        }
        clock.advance(Duration.ofMillis(2500));
        OriginException e = assertThrows(OriginException.class, () -> get(c));
        assertEquals(Kind.NO_HEALTHY_SERVER, e.kind());
        assertEquals(503, e.kind().status());
        assertEquals("8", e.responseFields().first("Retry-After"), "10 s ejection, 2.5 s gone: 7.5 s rounds up");
        assertEquals(1, c.pool("www").noServer());
        assertEquals(4, servers.sent.size(), "no connection attempted without a healthy server");
    }

    @Test
    void retryAfterWithHealthChecksIsTheCheckTimeWhenThatIsSooner() {
        PooledOriginClient c = twoServers(0, CHECK, EJECT);
        probeUp.put(A, false);
        probeUp.put(B, false);
        scheduler.runDue();
        scheduler.advance(Duration.ofSeconds(5));
        scheduler.advance(Duration.ofSeconds(5));
        OriginException e = assertThrows(OriginException.class, () -> get(c));
        assertEquals(Kind.NO_HEALTHY_SERVER, e.kind());
        assertEquals("10", e.responseFields().first("Retry-After"), "2 passing checks 5 s apart");
    }

    @Test
    void backupsServeOnlyWhileNoPrimaryIsUp() throws Exception {
        PooledOriginClient c = client(Balance.ROUND_ROBIN, 1, HealthCheck.OFF, EJECT, new Server(url(A), 1, false),
                new Server(url(B), 1, false), new Server(url(BACKUP), 1, true));
        for (int i = 0; i < 10; i++) {
            get(c);
        }
        assertEquals(0, servers.sentTo(BACKUP));
        servers.set(A, Script.fail(Kind.CONNECT_REFUSED));
        servers.set(B, Script.fail(Kind.CONNECT_REFUSED));
        int backup = 0;
        for (int i = 0; i < 6; i++) {
            try {
                backup += get(c) == BACKUP ? 1 : 0;
            } catch (OriginException e) {
                assertEquals(Kind.CONNECT_REFUSED, e.kind());
            }
        }
        assertFalse(member(c, A).health().available(clock.instant()));
        assertFalse(member(c, B).health().available(clock.instant()));
        assertEquals(BACKUP, get(c), "both primaries ejected: the backup takes the traffic");
        assertTrue(backup >= 1);
        servers.set(A, Script.ok());
        clock.advance(Duration.ofSeconds(10));
        assertEquals(A, get(c), "a primary back: the backup is idle again");
    }

    @Test
    void consistentHashingSendsOneUrlToOneServerAndMovesItOnlyWhenThatServerIsOut() throws Exception {
        PooledOriginClient c = client(Balance.CONSISTENT_HASH, 1, HealthCheck.OFF, EJECT, new Server(url(A), 1, false),
                new Server(url(B), 1, false));
        int[] owner = new int[40];
        for (int i = 0; i < owner.length; i++) {
            owner[i] = send(c, "GET", "/item/" + i, null);
            assertEquals(owner[i], send(c, "GET", "/item/" + i, null));
        }
        assertTrue(servers.sentTo(A) > 0 && servers.sentTo(B) > 0, "both servers own some keys");
        servers.set(A, Script.fail(Kind.CONNECT_REFUSED));
        for (int i = 0; i < owner.length; i++) {
            assertEquals(B, send(c, "GET", "/item/" + i, null));
        }
        servers.set(A, Script.ok());
        clock.advance(Duration.ofSeconds(10));
        for (int i = 0; i < owner.length; i++) {
            assertEquals(owner[i], send(c, "GET", "/item/" + i, null), "keys return to their server");
        }
    }

    @Test
    void poolsViewShowsStateLoadFailuresAndLastCheck() throws Exception {
        PooledOriginClient c = twoServers(1, CHECK, EJECT);
        scheduler.runDue();
        servers.set(A, Script.fail(Kind.CONNECT_REFUSED));
        get(c);
        get(c);
        get(c);
        Map<String, Object> doc = PoolsView.of(c.pools(), clock.instant());
        @SuppressWarnings("unchecked")
        Map<String, Object> www = (Map<String, Object>) ((Map<String, Object>) doc.get("pools")).get("www");
        assertEquals("round-robin", www.get("balance"));
        assertEquals(1, www.get("availableServers"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> list = (List<Map<String, Object>>) www.get("servers");
        Map<String, Object> a = list.get(0);
        assertEquals(url(A), a.get("url"));
        assertEquals("ejected", a.get("state"));
        assertEquals("primary", a.get("role"));
        assertEquals(2L, a.get("failures"));
        assertEquals(1L, a.get("ejections"));
        assertEquals(Boolean.TRUE, ((Map<?, ?>) a.get("lastCheck")).get("passed"));
        assertEquals("healthy", list.get(1).get("state"));
    }
}
