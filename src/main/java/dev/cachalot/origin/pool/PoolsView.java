package dev.cachalot.origin.pool;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The pools' state as a JSON-ready tree, for the admin {@code GET /pools}. */
public final class PoolsView {
    private PoolsView() {}

    /** {@code {"pools": {route: {...}}}} at {@code now}. */
    public static Map<String, Object> of(Collection<OriginPool> pools, Instant now) {
        Map<String, Object> byRoute = new LinkedHashMap<>();
        for (OriginPool p : pools) {
            byRoute.put(p.route(), pool(p, now));
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("at", now.toString());
        doc.put("pools", byRoute);
        return doc;
    }

    static Map<String, Object> pool(OriginPool p, Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("balance", p.config().balance().word());
        m.put("availableServers", p.availableServers(now));
        m.put("retries", p.retries());
        m.put("noServer", p.noServer());
        var hc = p.config().healthCheck();
        m.put("healthCheck", hc.enabled() ? Map.of("path", hc.path(), "interval", hc.interval().toString(),
                "timeout", hc.timeout().toString(), "expectStatus", hc.expectStatus()) : "off");
        List<Object> servers = new ArrayList<>();
        for (PoolMember s : p.members()) {
            servers.add(server(s, now));
        }
        m.put("servers", servers);
        return m;
    }

    static Map<String, Object> server(PoolMember s, Instant now) {
        ServerHealth h = s.health();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("url", s.url());
        m.put("role", s.backup() ? "backup" : "primary");
        m.put("weight", s.weight());
        m.put("state", h.state(now).name().toLowerCase(java.util.Locale.ROOT));
        m.put("available", h.available(now));
        Instant until = h.ejectedUntil(now);
        m.put("ejectedUntil", until == null ? null : until.toString());
        m.put("activeRequests", s.activeRequests());
        m.put("requests", s.requests());
        m.put("failures", h.errors());
        m.put("consecutiveFailures", h.consecutiveErrors());
        m.put("ejections", h.ejections());
        ServerHealth.CheckResult c = h.lastCheck();
        if (c == null) {
            m.put("lastCheck", null);
        } else {
            Map<String, Object> lc = new LinkedHashMap<>();
            lc.put("at", c.at().toString());
            lc.put("passed", c.passed());
            lc.put("detail", c.detail());
            m.put("lastCheck", lc);
        }
        return m;
    }
}
