package dev.cachalot.reload;

import dev.cachalot.config.CachalotConfig;
import dev.cachalot.config.ServerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which settings a reload may apply and which need a restart, and what changed between two
 * configurations. One list, here, decides reloadability (docs/operations.md, "Live reload", has the
 * same table):
 * <ul>
 *   <li>reloadable: {@code routes} (hosts, Host header, cache overrides, origin servers and pools:
 *       servers added, removed or re-weighted, balance, health checks and ejection; new and removed
 *       routes),
 *       {@code server.defaultRoute}, {@code server.trustedProxies}, {@code rateLimits},
 *       {@code accessLog} (on/off and format). Each is read per request from an immutable snapshot
 *       that a reload swaps whole;</li>
 *   <li>restart required: every other {@code server} key (listeners, TLS, threads, limits, Via, ...),
 *       {@code origin} (the HTTP client and its connection pool), {@code admin}, {@code store} (the open cache files and
 *       their sizes), {@code pipeline} (executors, coalescer), {@code cache} (the policy the
 *       pipelines were built with), {@code metrics}, {@code purge} and {@code forward}.</li>
 * </ul>
 */
public final class ConfigDiff {
    private ConfigDiff() {}

    /** The reloadable keys whose value differs. */
    public static List<String> reloadableChanges(CachalotConfig old, CachalotConfig next) {
        List<String> out = new ArrayList<>();
        diff(out, "routes", old.routes(), next.routes());
        diff(out, "server.defaultRoute", old.server().defaultRoute(), next.server().defaultRoute());
        diff(out, "server.trustedProxies", old.server().trustedProxies(), next.server().trustedProxies());
        diff(out, "rateLimits", old.rateLimits(), next.rateLimits());
        diff(out, "accessLog", old.accessLog(), next.accessLog());
        return out;
    }

    /** The keys that differ but only take effect after a restart. */
    public static List<String> restartRequired(CachalotConfig old, CachalotConfig next) {
        List<String> out = new ArrayList<>();
        ServerConfig a = old.server();
        ServerConfig b = next.server();
        diff(out, "server.listen", a.listen(), b.listen());
        diff(out, "server.tls", a.tls(), b.tls());
        diff(out, "server.ioThreads", a.ioThreads(), b.ioThreads());
        diff(out, "server.limits", a.limits(), b.limits());
        diff(out, "server.allowBodyOnGetHead", a.allowBodyOnGetHead(), b.allowBodyOnGetHead());
        diff(out, "server.unknownHost", a.unknownHost(), b.unknownHost());
        diff(out, "server.via", a.via(), b.via());
        diff(out, "server.shutdownTimeout", a.shutdownTimeout(), b.shutdownTimeout());
        diff(out, "server.hitShortcut", a.hitShortcut(), b.hitShortcut());
        diff(out, "server.connectionPlacement", a.connectionPlacement(), b.connectionPlacement());
        diff(out, "server.ioYieldEvery", a.ioYieldEvery(), b.ioYieldEvery());
        diff(out, "origin", old.origin(), next.origin());
        diff(out, "admin", old.admin(), next.admin());
        diff(out, "store", old.store(), next.store());
        diff(out, "pipeline", old.pipeline(), next.pipeline());
        diff(out, "cache", old.cache(), next.cache());
        diff(out, "metrics", old.metrics(), next.metrics());
        diff(out, "purge", old.purge(), next.purge());
        diff(out, "forward", old.forward(), next.forward());
        return out;
    }

    /**
     * The configuration that runs after a reload: the reloadable settings of {@code next} over the
     * restart-only settings of {@code running}.
     */
    public static CachalotConfig effective(CachalotConfig running, CachalotConfig next) {
        ServerConfig s = running.server();
        ServerConfig n = next.server();
        ServerConfig server = new ServerConfig(s.listen(), s.tls(), s.ioThreads(), s.limits(), s.allowBodyOnGetHead(),
                n.trustedProxies(), s.unknownHost(), n.defaultRoute(), s.via(), s.shutdownTimeout(), s.hitShortcut(),
                s.connectionPlacement(), s.ioYieldEvery());
        return running.withServer(server).withRoutes(next.routes()).withRateLimits(next.rateLimits())
                .withAccessLog(next.accessLog());
    }

    private static void diff(List<String> out, String key, Object a, Object b) {
        if (!Objects.equals(a, b)) {
            out.add(key);
        }
    }
}
