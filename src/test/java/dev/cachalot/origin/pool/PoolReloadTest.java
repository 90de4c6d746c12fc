package dev.cachalot.origin.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.config.OriginPoolConfig;
import dev.cachalot.config.OriginPoolConfig.Balance;
import dev.cachalot.config.OriginPoolConfig.Ejection;
import dev.cachalot.config.OriginPoolConfig.HealthCheck;
import dev.cachalot.config.OriginPoolConfig.Server;
import dev.cachalot.config.RouteConfig;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.RequestHead;
import dev.cachalot.origin.OriginResponse;
import dev.cachalot.origin.OriginTarget;
import dev.cachalot.policy.RouteOverrides;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Reloading origin pools ({@link PooledOriginClient#reconfigure}): servers added, removed and
 * re-weighted, health rules changed, routes added and removed; what is unchanged keeps its state.
 * Scripted servers, a manual clock and a manual check scheduler: no sockets, no sleeps.
 */
class PoolReloadTest {
    private static final int A = 8101;
    private static final int B = 8102;
    private static final int C = 8103;
    private static final HealthCheck CHECK = new HealthCheck("/health", Duration.ofSeconds(5), Duration.ofSeconds(1),
            "200-399", 1, 1);
    private static final Ejection EJECT = new Ejection(2, false, Duration.ofSeconds(10), Duration.ofSeconds(60));

    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-25T12:00:00Z"));
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final ScriptedServers servers = new ScriptedServers();
    private final Map<Integer, Boolean> probeUp = new ConcurrentHashMap<>();
    private final Map<Integer, Integer> probes = new ConcurrentHashMap<>();
    private final HealthProbe probe = (server, check) -> {
        probes.merge(server.port(), 1, Integer::sum);
        return probeUp.getOrDefault(server.port(), true) ? new HealthProbe.Outcome(true, "200")
                : new HealthProbe.Outcome(false, "refused");
    };

    private static String url(int port) {
        return "http://127.0.0.1:" + port;
    }

    private static RouteConfig route(String name, HealthCheck hc, Server... ss) {
        return new RouteConfig(name, List.of(name + ".test"), ss[0].url(), null, RouteOverrides.NONE,
                new OriginPoolConfig(Balance.ROUND_ROBIN, List.of(ss), 0, hc, EJECT));
    }

    private PooledOriginClient client(RouteConfig... routes) {
        return new PooledOriginClient(servers, PooledOriginClient.pools(List.of(routes)), clock,
                new HealthChecker(probe, scheduler, clock));
    }

    /** Sends a GET for {@code route} and returns the port of the server that answered. */
    private static int get(PooledOriginClient c, String route) throws Exception {
        OriginTarget t = OriginTarget.parse(route, "http://127.0.0.1:9999", null);
        RequestHead head = new RequestHead("GET", "http", route + ".test", "/", "HTTP/1.1",
                HeaderFields.of("Host", route + ".test"));
        try (OriginResponse r = c.send(t, head, null)) {
            String text = new String(r.body().readAllBytes(), StandardCharsets.US_ASCII);
            return Integer.parseInt(text.substring("server ".length()));
        }
    }

    private static PoolMember member(PooledOriginClient c, String route, int port) {
        return c.pool(route).members().stream().filter(m -> m.target().port() == port).findFirst().orElseThrow();
    }

    @Test
    void anUnchangedRouteKeepsItsPoolObjectAndAChangedOneGetsANewPool() {
        RouteConfig www = route("www", HealthCheck.OFF, new Server(url(A), 1, false));
        RouteConfig api = route("api", HealthCheck.OFF, new Server(url(B), 1, false));
        PooledOriginClient c = client(www, api);
        OriginPool wwwPool = c.pool("www");
        OriginPool apiPool = c.pool("api");

        PooledOriginClient.Reconfiguration rc = c.reconfigure(List.of(www,
                route("api", HealthCheck.OFF, new Server(url(B), 1, false), new Server(url(C), 1, false))));
        assertSame(apiPool, c.pool("api"), "nothing changes before the commit");
        rc.commit();
        assertSame(wwwPool, c.pool("www"), "unchanged route: same pool, its state goes on");
        assertNotSame(apiPool, c.pool("api"));
        assertEquals(2, c.pool("api").members().size());
        assertEquals(List.of(wwwPool, apiPool), rc.before());
        assertEquals(List.of(wwwPool, c.pool("api")), rc.after());
    }

    @Test
    void anAddedServerTakesTrafficAndARemovedOneNoLonger() throws Exception {
        PooledOriginClient c = client(route("www", HealthCheck.OFF, new Server(url(A), 1, false)));
        for (int i = 0; i < 4; i++) {
            assertEquals(A, get(c, "www"));
        }
        c.reconfigure(List.of(route("www", HealthCheck.OFF, new Server(url(A), 1, false),
                new Server(url(B), 1, false)))).commit();
        int b = 0;
        for (int i = 0; i < 10; i++) {
            b += get(c, "www") == B ? 1 : 0;
        }
        assertEquals(5, b, "round-robin over the two servers after the reload");
        assertEquals(4 + 5, servers.sentTo(A), "4 before the reload + 5 after");
        c.reconfigure(List.of(route("www", HealthCheck.OFF, new Server(url(B), 1, false)))).commit();
        long sentToA = servers.sentTo(A);
        for (int i = 0; i < 6; i++) {
            assertEquals(B, get(c, "www"));
        }
        assertEquals(sentToA, servers.sentTo(A), "the removed server gets nothing more");
    }

    @Test
    void aServerThatIsDownStaysDownWhenOnlyItsWeightChanges() throws Exception {
        PooledOriginClient c = client(route("www", CHECK, new Server(url(A), 1, false), new Server(url(B), 1, false)));
        probeUp.put(A, false);
        scheduler.runDue();
        assertFalse(member(c, "www", A).health().available(clock.instant()));
        ServerHealth healthOfA = member(c, "www", A).health();
        long requestsOfB = member(c, "www", B).requests();
        assertEquals(2, scheduler.size());

        c.reconfigure(List.of(route("www", CHECK, new Server(url(A), 3, false), new Server(url(B), 1, false))))
                .commit();
        assertSame(healthOfA, member(c, "www", A).health(), "same address, same rules: health kept");
        assertEquals(3, member(c, "www", A).weight());
        assertFalse(member(c, "www", A).health().available(clock.instant()), "still down after the reload");
        assertEquals(2, scheduler.size(), "checks kept, none added or lost");
        for (int i = 0; i < 4; i++) {
            assertEquals(B, get(c, "www"));
        }
        assertEquals(requestsOfB + 4, member(c, "www", B).requests(), "counters carried over");

        probeUp.put(A, true);
        scheduler.advance(Duration.ofSeconds(5));
        assertTrue(member(c, "www", A).health().available(clock.instant()), "the kept check brings A back");
    }

    @Test
    void changedHealthRulesStartFromFreshHealthAndReplaceTheChecks() {
        PooledOriginClient c = client(route("www", CHECK, new Server(url(A), 1, false)));
        probeUp.put(A, false);
        scheduler.runDue();
        ServerHealth before = member(c, "www", A).health();
        assertFalse(before.available(clock.instant()));
        HealthCheck slower = new HealthCheck("/health", Duration.ofSeconds(30), Duration.ofSeconds(1), "200-399", 1, 1);

        c.reconfigure(List.of(route("www", slower, new Server(url(A), 1, false)))).commit();
        assertNotSame(before, member(c, "www", A).health(), "health under other rules is not reused");
        assertEquals(1, scheduler.size(), "the old check was cancelled, the new one registered");
        probes.clear();
        scheduler.runDue();
        assertEquals(1, probes.get(A), "only the new check runs");
        scheduler.advance(Duration.ofSeconds(5));
        assertEquals(1, probes.get(A), "the old 5 s check is gone; the new one runs every 30 s");
    }

    @Test
    void turningChecksOffCancelsThemAndARemovedRouteLosesItsPoolAndChecks() {
        PooledOriginClient c = client(route("www", CHECK, new Server(url(A), 1, false)),
                route("api", CHECK, new Server(url(B), 1, false)));
        assertEquals(2, scheduler.size());
        c.reconfigure(List.of(route("www", HealthCheck.OFF, new Server(url(A), 1, false)))).commit();
        assertEquals(0, scheduler.size());
        assertNull(c.pool("api"), "a removed route has no pool");
        assertEquals(List.of("www"), c.pools().stream().map(OriginPool::route).toList());
    }

    @Test
    void aNewRouteGetsItsPoolAndChecksAtOnce() throws Exception {
        PooledOriginClient c = client(route("www", HealthCheck.OFF, new Server(url(A), 1, false)));
        assertEquals(0, scheduler.size());
        c.reconfigure(List.of(route("www", HealthCheck.OFF, new Server(url(A), 1, false)),
                route("api", CHECK, new Server(url(B), 1, false), new Server(url(C), 1, true)))).commit();
        assertEquals(2, scheduler.size());
        assertEquals(B, get(c, "api"));
        assertTrue(member(c, "api", C).backup());
    }

    @Test
    void aServerUrlThatCannotBeUsedFailsThePreparationAndChangesNothing() {
        PooledOriginClient c = client(route("www", HealthCheck.OFF, new Server(url(A), 1, false)));
        OriginPool running = c.pool("www");
        assertThrows(IllegalArgumentException.class, () -> c.reconfigure(List.of(route("www", HealthCheck.OFF,
                new Server("ftp://127.0.0.1:1", 1, false)))));
        assertSame(running, c.pool("www"));
    }
}
