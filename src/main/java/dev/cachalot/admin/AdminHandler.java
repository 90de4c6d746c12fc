package dev.cachalot.admin;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener's Undertow handler: routes by exact path and method ({@link AdminRoutes}),
 * applies the bearer-token guard to guarded routes, and runs the endpoint off the IO thread. Unknown
 * paths get a JSON 404, known paths with another method a 405 with {@code Allow}.
 */
public final class AdminHandler implements HttpHandler {
    /** Largest request body an admin endpoint accepts. */
    public static final int MAX_BODY_BYTES = 64 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);
    private static final HttpString CONTENT_TYPE = new HttpString("Content-Type");
    private static final HttpString CACHE_CONTROL = new HttpString("Cache-Control");

    private final AdminRoutes routes;
    private final BearerTokenGuard guard;

    /**
     * @param routes     the endpoints (see {@link StandardEndpoints#register})
     * @param adminToken the bearer token guarded endpoints require; empty disables them (403)
     * @throws IllegalArgumentException when the token is present but blank
     */
    public AdminHandler(AdminRoutes routes, Optional<String> adminToken) {
        this.routes = routes;
        this.guard = new BearerTokenGuard(adminToken);
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (exchange.isInIoThread()) {
            exchange.dispatch(this); // endpoints may block (scrapes, purges): never on the IO thread
            return;
        }
        exchange.startBlocking();
        send(exchange, respond(exchange));
    }

    private AdminResponse respond(HttpServerExchange exchange) {
        String method = exchange.getRequestMethod().toString();
        String path = exchange.getRequestPath();
        AdminRoutes.Match match = routes.match(method, path);
        if (match instanceof AdminRoutes.Match.WrongMethod w) {
            return AdminResponse.error(405, "method not allowed", Map.of("allow", w.allow()))
                    .withHeader("Allow", String.join(", ", w.allow()));
        }
        if (!(match instanceof AdminRoutes.Match.Found found)) {
            return AdminResponse.error(404, "not found", Map.of("path", path));
        }
        AdminRoute route = found.route();
        if (route.requiresToken()) {
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            switch (guard.check(authorization)) {
                case ALLOWED -> { }
                case NOT_CONFIGURED -> {
                    return AdminResponse.error(403, "admin token not configured", Map.of());
                }
                case UNAUTHORIZED -> {
                    // RFC 6750 §3: challenge; invalid_token only when a bearer token was presented.
                    String challenge = authorization == null ? "Bearer realm=\"cachalot-admin\""
                            : "Bearer realm=\"cachalot-admin\", error=\"invalid_token\"";
                    return AdminResponse.error(401, "unauthorized", Map.of())
                            .withHeader("WWW-Authenticate", challenge);
                }
            }
        }
        try {
            byte[] body = readBody(exchange);
            if (body == null) {
                return AdminResponse.error(413, "request body larger than " + MAX_BODY_BYTES + " bytes", Map.of());
            }
            AdminRequest request = new AdminRequest(route.method(), path, query(exchange), body,
                    clientAddress(exchange));
            return route.endpoint().handle(request);
        } catch (Exception e) {
            LOG.error("admin endpoint {} {} failed", route.method(), route.path(), e);
            return AdminResponse.error(500, "internal error", Map.of());
        }
    }

    /** The body, or null when it exceeds {@link #MAX_BODY_BYTES}. */
    private static byte[] readBody(HttpServerExchange exchange) throws IOException {
        if (exchange.getRequestContentLength() > MAX_BODY_BYTES) {
            return null;
        }
        InputStream in = exchange.getInputStream();
        byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
        return body.length > MAX_BODY_BYTES ? null : body;
    }

    private static String clientAddress(HttpServerExchange exchange) {
        InetSocketAddress a = exchange.getSourceAddress();
        return a == null || a.getAddress() == null ? "unknown" : a.getAddress().getHostAddress();
    }

    private static Map<String, List<String>> query(HttpServerExchange exchange) {
        Map<String, List<String>> q = new LinkedHashMap<>();
        for (Map.Entry<String, Deque<String>> e : exchange.getQueryParameters().entrySet()) {
            q.put(e.getKey(), new ArrayList<>(e.getValue()));
        }
        return q;
    }

    private static void send(HttpServerExchange exchange, AdminResponse response) {
        exchange.setStatusCode(response.status());
        exchange.getResponseHeaders().put(CONTENT_TYPE, response.contentType());
        // Admin answers describe the live process: never to be stored by any cache on the way.
        exchange.getResponseHeaders().put(CACHE_CONTROL, "no-store");
        response.headers().forEach((name, value) -> exchange.getResponseHeaders().put(new HttpString(name), value));
        exchange.setResponseContentLength(response.body().length);
        exchange.getResponseSender().send(ByteBuffer.wrap(response.body()));
    }
}
