package dev.cachalot.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The registry of admin endpoints. Features register theirs here (purge, reload, ...) before or
 * after the admin listener starts; lookups are by exact path, then method.
 */
public final class AdminRoutes {
    /** The result of looking a request up. */
    sealed interface Match {
        /** A route serves this method and path. */
        record Found(AdminRoute route) implements Match {}

        /** The path exists but not for this method; {@code allow} lists the methods that would work. */
        record WrongMethod(List<String> allow) implements Match {}

        /** No route has this path. */
        record NoSuchPath() implements Match {}
    }

    private final List<AdminRoute> routes = new CopyOnWriteArrayList<>();

    /** Adds a route; a second route for the same method and path is a programming error. */
    public AdminRoutes add(AdminRoute route) {
        synchronized (routes) {
            if (find(route.method(), route.path()).isPresent()) {
                throw new IllegalArgumentException("admin route already registered: " + route.method() + " " + route.path());
            }
            routes.add(route);
        }
        return this;
    }

    /** Every route, in registration order. */
    public List<AdminRoute> all() {
        return List.copyOf(routes);
    }

    Match match(String method, String path) {
        String m = method.equals("HEAD") ? "GET" : method;
        Optional<AdminRoute> exact = find(m, path);
        if (exact.isPresent()) {
            return new Match.Found(exact.get());
        }
        List<String> allow = new ArrayList<>();
        for (AdminRoute r : routes) {
            if (r.path().equals(path)) {
                allow.add(r.method());
                if (r.method().equals("GET")) {
                    allow.add("HEAD");
                }
            }
        }
        return allow.isEmpty() ? new Match.NoSuchPath() : new Match.WrongMethod(List.copyOf(allow));
    }

    private Optional<AdminRoute> find(String method, String path) {
        return routes.stream().filter(r -> r.method().equals(method) && r.path().equals(path)).findFirst();
    }
}
