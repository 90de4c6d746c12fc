package dev.cachalot.purge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cachalot.admin.AdminRequest;
import dev.cachalot.admin.AdminResponse;
import dev.cachalot.admin.AdminRoute;
import dev.cachalot.admin.AdminRoutes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The purge admin endpoints, all behind the admin bearer token:
 * <ul>
 *   <li>{@code POST /purge} with {@code {"url": "...", "soft": false}}: purge every variant of one
 *       URL; answers {@code {"purged": n, "soft": bool, "url": key, "failed": n}}.</li>
 *   <li>{@code POST /purge} with {@code {"tag" | "prefix" | "host": "...", "soft": false}}: record
 *       a ban (effective at once, persisted, applied in the background); answers
 *       {@code {"ban": id, "kind": k, "value": normalised, "soft": bool, "at": instant}}.</li>
 *   <li>{@code GET /keys?prefix=URL&host=H&limit=N}: the stored keys (default limit
 *       {@value #DEFAULT_LIMIT}, at most {@value #MAX_LIMIT}); answers
 *       {@code {"keys": [{"url", "variant", "bytes", "tier"}], "count": n, "truncated": bool}}.</li>
 * </ul>
 */
public final class PurgeEndpoints {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> SELECTORS = Set.of("url", "tag", "prefix", "host");
    private static final Set<String> KNOWN = Set.of("url", "tag", "prefix", "host", "soft");
    /** Keys listed when no limit is given. */
    public static final int DEFAULT_LIMIT = 1000;
    /** Largest limit accepted. */
    public static final int MAX_LIMIT = 100_000;
    private static final Set<String> KEY_PARAMS = Set.of("prefix", "host", "limit");

    private PurgeEndpoints() {}

    /** Registers {@code POST /purge} and {@code GET /keys} (both token-guarded); returns {@code routes}. */
    public static AdminRoutes register(AdminRoutes routes, PurgeService purge) {
        routes.add(AdminRoute.guardedPost("/purge",
                "purge one URL (all variants) or by tag, prefix or host: {\"url\"|\"tag\"|\"prefix\"|\"host\": \"...\","
                        + " \"soft\": false}",
                request -> purge(purge, request)));
        routes.add(new AdminRoute("GET", "/keys", true,
                "list cached keys: ?prefix=URL&host=H&limit=N (default " + DEFAULT_LIMIT + ")",
                request -> keys(purge, request)));
        return routes;
    }

    static AdminResponse keys(PurgeService purge, AdminRequest request) {
        for (String name : request.query().keySet()) {
            if (!KEY_PARAMS.contains(name)) {
                return badRequest("unknown parameter '" + name + "' (known: prefix, host, limit)");
            }
        }
        int limit = DEFAULT_LIMIT;
        String l = request.param("limit");
        if (l != null) {
            try {
                limit = Integer.parseInt(l);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                return badRequest("limit must be a whole number from 1 to " + MAX_LIMIT + ", got '" + l + "'");
            }
        }
        PurgeService.KeyListing listing;
        try {
            listing = purge.keys(request.param("prefix"), request.param("host"), limit);
        } catch (IllegalArgumentException e) {
            return badRequest(e.getMessage());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("keys", listing.keys());
        out.put("count", listing.keys().size());
        out.put("truncated", listing.truncated());
        return AdminResponse.json(200, out);
    }

    static AdminResponse purge(PurgeService purge, AdminRequest request) {
        JsonNode body;
        try {
            body = JSON.readTree(request.body());
        } catch (JsonProcessingException e) {
            return badRequest("body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            return badRequest("body could not be read: " + e.getMessage());
        }
        if (body == null || !body.isObject()) {
            return badRequest("body must be a JSON object such as {\"url\": \"https://example.com/a\", \"soft\": false}");
        }
        List<String> selectors = new ArrayList<>();
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!KNOWN.contains(name)) {
                return badRequest("unknown field '" + name + "' (known: url, soft, tag, prefix, host)");
            }
            if (SELECTORS.contains(name)) {
                selectors.add(name);
            }
        }
        if (selectors.size() != 1) {
            return badRequest("exactly one of url, tag, prefix, host is required, got "
                    + (selectors.isEmpty() ? "none" : String.join(", ", selectors)));
        }
        JsonNode soft = body.get("soft");
        if (soft != null && !soft.isBoolean()) {
            return badRequest("soft must be true or false, got " + soft);
        }
        boolean isSoft = soft != null && soft.booleanValue();
        String selector = selectors.get(0);
        JsonNode value = body.get(selector);
        if (!value.isTextual() || value.textValue().isEmpty()) {
            return badRequest(selector + " must be a non-empty string, got " + value);
        }
        if (!selector.equals("url")) {
            Ban b;
            try {
                b = purge.purgeBy(BanKind.ofWord(selector), value.textValue(), PurgeMode.of(isSoft),
                        request.clientAddress(), "admin");
            } catch (IllegalArgumentException e) {
                return badRequest(e.getMessage());
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("ban", b.id());
            out.put("kind", b.kind().word());
            out.put("value", b.value());
            out.put("soft", b.mode() == PurgeMode.SOFT);
            out.put("at", b.time().toString());
            return AdminResponse.json(200, out);
        }
        PurgeResult r;
        try {
            r = purge.purgeUrl(value.textValue(), PurgeMode.of(isSoft), request.clientAddress());
        } catch (IllegalArgumentException e) {
            return badRequest(e.getMessage());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("purged", r.purged());
        out.put("soft", r.mode() == PurgeMode.SOFT);
        out.put("url", r.target());
        out.put("failed", r.failed());
        return AdminResponse.json(200, out);
    }

    private static AdminResponse badRequest(String message) {
        return AdminResponse.error(400, message, Map.of());
    }
}
