package dev.cachalot.admin;

import java.util.Locale;
import java.util.Objects;

/**
 * One admin endpoint bound to a method and an exact path.
 *
 * @param method        GET, POST, PUT or DELETE (a GET route also answers HEAD)
 * @param path          the exact path, starting with '/'
 * @param requiresToken true for state-changing or sensitive endpoints: they need
 *                      {@code Authorization: Bearer TOKEN} and are refused outright when no admin
 *                      token is configured
 * @param description   one line for the endpoint index at {@code GET /}
 * @param endpoint      the operation
 */
public record AdminRoute(String method, String path, boolean requiresToken, String description,
                         AdminEndpoint endpoint) {
    public AdminRoute {
        method = method.toUpperCase(Locale.ROOT);
        if (!method.matches("GET|POST|PUT|DELETE")) {
            throw new IllegalArgumentException("admin route method must be GET, POST, PUT or DELETE: " + method);
        }
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("admin route path must start with '/': " + path);
        }
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(endpoint, "endpoint");
    }

    /** A read-only GET route open to anyone who can reach the admin listener. */
    public static AdminRoute get(String path, String description, AdminEndpoint endpoint) {
        return new AdminRoute("GET", path, false, description, endpoint);
    }

    /** A state-changing POST route guarded by the admin token. */
    public static AdminRoute guardedPost(String path, String description, AdminEndpoint endpoint) {
        return new AdminRoute("POST", path, true, description, endpoint);
    }
}
