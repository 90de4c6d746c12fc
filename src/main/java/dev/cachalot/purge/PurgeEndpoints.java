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
 *       URL; answers {@code {"purged": n, "soft": bool, "url": key, "failed": n}}.
 *       The selectors {@code tag}, {@code prefix} and {@code host} are reserved and answered
 *       {@code 501}: they need a persisted key/tag index the cache store does not have yet, and
 *       a scan of the whole store would be neither fast nor honest about its cost.</li>
 *   <li>{@code GET /keys}: reserved for listing keys; {@code 501} for the same reason.</li>
 * </ul>
 */
public final class PurgeEndpoints {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> SELECTORS = Set.of("url", "tag", "prefix", "host");
    private static final Set<String> KNOWN = Set.of("url", "tag", "prefix", "host", "soft");
    private static final String NO_INDEX = "the cache store has no persisted key/tag index yet"
            + " (see docs/operations.md, section Purge)";

    private PurgeEndpoints() {}

    /** Registers {@code POST /purge} and {@code GET /keys} (both token-guarded); returns {@code routes}. */
    public static AdminRoutes register(AdminRoutes routes, PurgeService purge) {
        routes.add(AdminRoute.guardedPost("/purge",
                "purge one URL (all variants): {\"url\": \"...\", \"soft\": false}; tag/prefix/host: 501 for now",
                request -> purge(purge, request)));
        routes.add(new AdminRoute("GET", "/keys", true, "list cached keys: 501 for now (no key index yet)",
                request -> AdminResponse.error(501, "listing keys is not implemented: " + NO_INDEX, Map.of())));
        return routes;
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
            PurgeService.auditRefused(request.clientAddress(), "admin", selector + ":" + value.textValue(),
                    "not-implemented");
            return AdminResponse.error(501, "purge by " + selector + " is not implemented: " + NO_INDEX,
                    Map.of(selector, value.textValue()));
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
