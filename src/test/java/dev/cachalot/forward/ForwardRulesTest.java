package dev.cachalot.forward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.metrics.ProxyMetrics;
import dev.cachalot.pipeline.CachingPipeline;
import dev.cachalot.pipeline.OriginAdmission;
import dev.cachalot.policy.PolicyConfig;
import dev.cachalot.policy.RouteOverrides;
import dev.cachalot.purge.BanList;
import dev.cachalot.purge.PurgeConfig;
import dev.cachalot.purge.PurgeMethodProcessor;
import dev.cachalot.purge.PurgeMode;
import dev.cachalot.purge.PurgeService;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The per-host cache rules of the forward proxy end to end (forward listener, caching pipeline,
 * tiered store, loopback origin): key rewriting (StoreID) across mirror hosts and per-user tokens,
 * forced freshness for pool files and Release files, and ignoring a request's no-cache for
 * immutable artifacts; each deviation is named in Cache-Status detail. Time moves only by the
 * test clock.
 */
class ForwardRulesTest extends CachingForwardFixture {
    private static final List<Cidr> LOOPBACK = List.of(Cidr.parse("127.0.0.1/32"));

    private String origin() {
        return "127.0.0.1:" + h.originPort();
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private void start(ForwardCacheRules rules) throws Exception {
        open("cache", 64L << 20, 16L << 20, 10_000);
        startCaching(ForwardConfig.defaults().withAllowDestinations(LOOPBACK).withCacheRules(rules));
    }

    @Test
    void twoMirrorHostsShareOneOriginFetch() throws Exception {
        start(new ForwardCacheRules(List.of(ForwardCacheRules.KeyRule.of("debian",
                "^http://mirror-[ab]\\.test:\\d+/debian/(.*)$", "http://debian.cachalot.internal/debian/$1")),
                List.of()));
        h.dns.map("mirror-a.test", "127.0.0.1").map("mirror-b.test", "127.0.0.1");
        byte[] deb = random(300_000, 1);
        h.files.put("/debian/pool/main/h/hello/hello_2.10_amd64.deb", deb);
        String path = "/debian/pool/main/h/hello/hello_2.10_amd64.deb";
        ProxyClient.Reply a = ProxyClient.get(h.port(), "http://mirror-a.test:" + h.originPort() + path);
        ProxyClient.Reply b = ProxyClient.get(h.port(), "http://mirror-b.test:" + h.originPort() + path);
        assertEquals(200, a.status(), a.text());
        assertEquals(200, b.status(), b.text());
        assertArrayEquals(deb, a.body());
        assertArrayEquals(deb, b.body());
        assertEquals(1, h.originHits.get(), "one origin fetch for two mirror hosts");
        assertTrue(a.cacheStatus().contains("fwd=uri-miss") && a.cacheStatus().contains("stored"), a.cacheStatus());
        assertTrue(b.cacheStatus().contains(";hit"), b.cacheStatus());
        assertTrue(b.cacheStatus().contains("override store-id rule=debian"), b.cacheStatus());
        // A path outside the rule keeps its own key: the other mirror fetches it again.
        h.files.put("/other/x", random(10, 2));
        ProxyClient.get(h.port(), "http://mirror-a.test:" + h.originPort() + "/other/x");
        ProxyClient.Reply other = ProxyClient.get(h.port(), "http://mirror-b.test:" + h.originPort() + "/other/x");
        assertEquals(3, h.originHits.get());
        assertFalse(other.cacheStatus().contains("store-id"), other.cacheStatus());
    }

    @Test
    void purgingOneMirrorUrlPurgesTheObjectItsKeyRuleShares() throws Exception {
        ForwardCacheRules rules = new ForwardCacheRules(List.of(ForwardCacheRules.KeyRule.of("debian",
                "^http://mirror-[ab]\\.test:\\d+/debian/(.*)$", "http://debian.cachalot.internal/debian/$1")),
                List.of());
        open("cache", 64L << 20, 16L << 20, 10_000);
        PurgeService purge = new PurgeService(store, PolicyConfig.defaults(), a -> RouteOverrides.NONE, clock,
                BanList.inMemory(clock), PurgeConfig.DEFAULTS.tagHeaders(), rules, ForwardCacheRules.ROUTE);
        PurgeConfig purgeConfig = PurgeConfig.of(true, List.of("127.0.0.1/32"), List.of(), true);
        ForwardConfig config = ForwardConfig.defaults().withAllowDestinations(LOOPBACK).withCacheRules(rules);
        h.start(config, (client, headers) -> PurgeMethodProcessor.wrap(new CachingPipeline(store, store.memoryTier(),
                client, headers, PolicyConfig.defaults(), route -> RouteOverrides.NONE, rules, pipelineConfig, clock,
                ProxyMetrics.noop(), background, OriginAdmission.ALL, purge.gate()), purge, purgeConfig,
                route -> RouteOverrides.NONE));
        h.dns.map("mirror-a.test", "127.0.0.1").map("mirror-b.test", "127.0.0.1");
        String path = "/debian/pool/main/h/hello/hello_2.10_amd64.deb";
        h.files.put(path, random(50_000, 3));
        String a = "http://mirror-a.test:" + h.originPort() + path;
        String b = "http://mirror-b.test:" + h.originPort() + path;
        assertEquals(200, ProxyClient.get(h.port(), a).status());
        assertTrue(ProxyClient.get(h.port(), b).cacheStatus().contains(";hit"), "stored once for both mirrors");
        assertEquals(1, h.originHits.get());

        ProxyClient.Reply purged = ProxyClient.request(h.port(), "PURGE", b);
        assertEquals(200, purged.status(), purged.text());
        assertTrue(purged.text().contains("\"purged\":1"), purged.text());
        ProxyClient.Reply again = ProxyClient.get(h.port(), a);
        assertEquals(200, again.status(), again.text());
        assertTrue(again.cacheStatus().contains("fwd=uri-miss"), "the other mirror's URL misses: " + again.cacheStatus());
        assertEquals(2, h.originHits.get(), "fetched again after the purge");

        // The admin API's purge by URL follows the forward listener's key rules too.
        assertTrue(ProxyClient.get(h.port(), b).cacheStatus().contains(";hit"));
        assertEquals(1, purge.purgeUrl(a, PurgeMode.HARD, "127.0.0.1").purged());
        assertTrue(ProxyClient.get(h.port(), b).cacheStatus().contains("fwd=uri-miss"));
        assertEquals(3, h.originHits.get());
    }

    @Test
    void perUserTokenIsStrippedFromTheKey() throws Exception {
        start(new ForwardCacheRules(List.of(ForwardCacheRules.KeyRule.of("signed-downloads",
                "^(http://127\\.0\\.0\\.1:\\d+/dl/[^?]*)\\?(?:.*&)?token=[^&]*.*$", "$1")), List.of()));
        byte[] iso = random(200_000, 3);
        h.files.put("/dl/tool-1.0.tar.gz", iso);
        String base = "http://" + origin() + "/dl/tool-1.0.tar.gz";
        ProxyClient.Reply alice = ProxyClient.get(h.port(), base + "?token=alice-secret");
        ProxyClient.Reply bob = ProxyClient.get(h.port(), base + "?token=bob-secret");
        assertArrayEquals(iso, alice.body());
        assertArrayEquals(iso, bob.body());
        assertEquals(1, h.originHits.get(), "token stripped: the second user is a hit");
        assertEquals("/dl/tool-1.0.tar.gz?token=alice-secret", h.seen.get(0).uri(), "the origin sees the real URL");
        assertTrue(bob.cacheStatus().contains(";hit") && bob.cacheStatus().contains("rule=signed-downloads"),
                bob.cacheStatus());
    }

    @Test
    void forcedTtlKeepsPoolFilesFreshAndReleaseFilesShort() throws Exception {
        start(new ForwardCacheRules(List.of(), List.of(
                ForwardCacheRules.CacheRule.of("debs", List.of("127.0.0.1"), "/pool/.*\\.deb$",
                        Duration.ofDays(30), Set.of(), false),
                ForwardCacheRules.CacheRule.of("release", List.of(), "/dists/[^/]+/(In)?Release$",
                        Duration.ofMinutes(5), Set.of(), false))));
        String deb = "/debian/pool/main/h/hello/hello_2.10_amd64.deb";
        String release = "/debian/dists/stable/InRelease";
        String plain = "/debian/README";
        h.files.put(deb, random(1000, 4));
        h.files.put(release, "Origin: Debian\n".getBytes(StandardCharsets.UTF_8));
        h.files.put(plain, "readme".getBytes(StandardCharsets.UTF_8));
        h.cacheControl.put(deb, "max-age=60");
        h.cacheControl.put(release, "max-age=3600");
        h.cacheControl.put(plain, "max-age=60");
        for (String p : List.of(deb, release, plain)) {
            assertEquals(200, ProxyClient.get(h.port(), "http://" + origin() + p).status());
        }
        assertEquals(3, h.originHits.get());
        clock.advance(Duration.ofMinutes(10));
        // The pool file is fresh for 30 days although the origin said 60 s; the detail names the rule.
        ProxyClient.Reply d = ProxyClient.get(h.port(), "http://" + origin() + deb);
        assertTrue(d.cacheStatus().contains(";hit"), d.cacheStatus());
        assertTrue(d.cacheStatus().contains("override force-ttl=2592000 rule=debs"), d.cacheStatus());
        assertEquals(3, h.originHits.get());
        // InRelease is fresh for 5 minutes only although the origin said an hour: after 10 minutes it goes back.
        ProxyClient.Reply r = ProxyClient.get(h.port(), "http://" + origin() + release);
        assertFalse(r.cacheStatus().contains(";hit"), r.cacheStatus());
        assertEquals(4, h.originHits.get());
        // No rule: the origin's 60 s rule, so after 10 minutes it goes back too, without any override detail.
        ProxyClient.Reply p = ProxyClient.get(h.port(), "http://" + origin() + plain);
        assertFalse(p.cacheStatus().contains("override"), p.cacheStatus());
        assertEquals(5, h.originHits.get());
    }

    @Test
    void requestNoCacheIsIgnoredForImmutableArtifactsOnly() throws Exception {
        start(new ForwardCacheRules(List.of(), List.of(ForwardCacheRules.CacheRule.of("maven-artifacts",
                List.of("127.0.0.1"), "\\.(jar|pom|sha1|md5)$", null, Set.of(), true))));
        String jar = "/maven2/org/example/lib/1.0/lib-1.0.jar";
        String metadata = "/maven2/org/example/lib/maven-metadata.xml";
        h.files.put(jar, random(5000, 5));
        h.files.put(metadata, "<metadata/>".getBytes(StandardCharsets.UTF_8));
        h.cacheControl.put(jar, "max-age=60"); // goes stale when the test clock moves two minutes on
        String[] mavenHeaders = {"Cache-Control: no-cache", "Pragma: no-cache"};
        ProxyClient.get(h.port(), "http://" + origin() + jar, mavenHeaders);
        ProxyClient.Reply second = ProxyClient.get(h.port(), "http://" + origin() + jar, mavenHeaders);
        assertEquals(1, h.originHits.get(), "the artifact is served from the cache despite no-cache");
        assertTrue(second.cacheStatus().contains(";hit"), second.cacheStatus());
        assertTrue(second.cacheStatus().contains("override ignored request no-cache rule=maven-artifacts"),
                second.cacheStatus());
        clock.advance(Duration.ofSeconds(5)); // max-age=0 matters only once the stored response has an age
        ProxyClient.Reply third = ProxyClient.get(h.port(), "http://" + origin() + jar, "Cache-Control: max-age=0");
        assertTrue(third.cacheStatus().contains("override ignored request max-age=0"), third.cacheStatus());
        assertEquals(1, h.originHits.get());
        // Metadata changes: not covered by the rule, so no-cache is honoured (RFC 9111 §5.2.1.4).
        ProxyClient.get(h.port(), "http://" + origin() + metadata, mavenHeaders);
        ProxyClient.Reply meta = ProxyClient.get(h.port(), "http://" + origin() + metadata, mavenHeaders);
        assertEquals(3, h.originHits.get());
        assertFalse(meta.cacheStatus().contains(";hit"), meta.cacheStatus());
        // A stale artifact is validated as usual even under the rule.
        clock.advance(Duration.ofMinutes(2));
        ProxyClient.Reply stale = ProxyClient.get(h.port(), "http://" + origin() + jar, mavenHeaders);
        assertFalse(stale.cacheStatus().contains(";hit"), stale.cacheStatus());
        assertEquals(4, h.originHits.get());
    }
}
