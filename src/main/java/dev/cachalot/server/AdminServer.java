package dev.cachalot.server;

import dev.cachalot.config.HostPort;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.net.InetSocketAddress;

/**
 * The admin listener: its own small Undertow on its own port (loopback by default), serving the
 * handler an {@link AdminEndpoints} builds. {@link #basic} answers /health and /ready on its own.
 */
public final class AdminServer implements AutoCloseable {
    private final Undertow undertow;

    public AdminServer(HostPort listen, HttpHandler handler) {
        this.undertow = Undertow.builder()
                .addHttpListener(listen.port(), listen.host())
                .setIoThreads(1)
                .setWorkerThreads(4)
                .setHandler(handler)
                .build();
    }

    public void start() {
        undertow.start();
    }

    /** The bound address. */
    public InetSocketAddress address() {
        return (InetSocketAddress) undertow.getListenerInfo().get(0).getAddress();
    }

    @Override
    public void close() {
        undertow.stop();
    }

    /** The built-in endpoints: GET /health (alive) and GET /ready (accepting traffic); 404 otherwise. */
    public static AdminEndpoints basic() {
        return state -> (HttpServerExchange ex) -> {
            String path = ex.getRelativePath();
            ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
            ex.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
            switch (path) {
                case "/health":
                    ex.getResponseSender().send("ok\n");
                    break;
                case "/ready":
                    if (state.ready()) {
                        ex.getResponseSender().send("ready\n");
                    } else {
                        ex.setStatusCode(503);
                        ex.getResponseSender().send("not ready\n");
                    }
                    break;
                default:
                    ex.setStatusCode(404);
                    ex.getResponseSender().send("not found\n");
            }
        };
    }
}
