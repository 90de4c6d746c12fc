package dev.cachalot.reload;

import dev.cachalot.admin.AdminResponse;
import dev.cachalot.admin.AdminRoute;
import dev.cachalot.admin.AdminRoutes;
import dev.cachalot.config.ConfigException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@code POST /reload} on the admin listener (bearer token, like every state-changing endpoint):
 * reloads the configuration and answers
 * <ul>
 *   <li>{@code 200 {"status": "applied", "changed": [...], "restartRequired": [...]}};</li>
 *   <li>{@code 422 {"status": "rejected", "error": "FILE: KEY = VALUE: RULE", "source", "key",
 *       "value", "rule"}} for a bad file (the message start-up would print; nothing changed);</li>
 *   <li>{@code 503 {"status": "unavailable", ...}} while the proxy is not ready to reload.</li>
 * </ul>
 */
public final class ReloadEndpoint {
    private ReloadEndpoint() {}

    /**
     * Registers {@code POST /reload}; returns {@code routes}.
     *
     * @param reloader the reloader, or null while it does not exist yet (answers 503)
     */
    public static AdminRoutes register(AdminRoutes routes, Supplier<ConfigReloader> reloader) {
        routes.add(AdminRoute.guardedPost("/reload",
                "reload the configuration file: routes, rate limits, trusted proxies, access log apply live",
                request -> {
                    ConfigReloader r = reloader.get();
                    ReloadResult result = r == null ? new ReloadResult.Unavailable("starting")
                            : r.reload("admin " + request.clientAddress());
                    return response(result);
                }));
        return routes;
    }

    /** The admin answer for a reload result. */
    static AdminResponse response(ReloadResult result) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (result instanceof ReloadResult.Applied a) {
            body.put("status", "applied");
            body.put("changed", a.changed());
            body.put("restartRequired", a.restartRequired());
            return AdminResponse.json(200, body);
        }
        if (result instanceof ReloadResult.Rejected r) {
            ConfigException e = r.error();
            body.put("status", "rejected");
            body.put("error", "bad configuration: " + e.getMessage());
            body.put("source", e.source());
            body.put("key", e.key());
            body.put("value", e.value());
            body.put("rule", e.rule());
            body.put("running", "unchanged");
            return AdminResponse.json(422, body);
        }
        ReloadResult.Unavailable u = (ReloadResult.Unavailable) result;
        body.put("status", "unavailable");
        body.put("error", "cannot reload now: " + u.reason());
        return AdminResponse.json(503, body);
    }
}
