package dev.cachalot.origin.pool;

import dev.cachalot.config.OriginConfig;
import dev.cachalot.config.OriginPoolConfig;
import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.RequestHead;
import dev.cachalot.origin.HttpOriginClient;
import dev.cachalot.origin.OriginException;
import dev.cachalot.origin.OriginResponse;
import dev.cachalot.origin.OriginTarget;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The health check over HTTP: {@code GET path} with the route's Host (or the server's own
 * authority) and {@code Connection: close}, so every check opens a fresh connection and a server
 * that stopped accepting is noticed at once. It uses its own small HTTP clients (one per check
 * timeout, whose connect and response timeouts are that timeout), never the request traffic's pool:
 * checks neither wait behind busy connections nor take them from requests.
 */
public final class HttpHealthProbe implements HealthProbe {
    /** Body bytes read from a check answer before giving up on reading the rest. */
    private static final int MAX_BODY = 64 * 1024;

    private final Map<Duration, HttpOriginClient> clients = new ConcurrentHashMap<>();

    @Override
    public Outcome probe(OriginTarget server, OriginPoolConfig.HealthCheck check) {
        HttpOriginClient client = clients.computeIfAbsent(check.timeout(), t -> new HttpOriginClient(
                new OriginConfig(t, t, Duration.ofSeconds(30), t, 64, 4)));
        String host = server.hostHeader() != null ? server.hostHeader() : server.authority();
        RequestHead head = new RequestHead("GET", server.scheme(), host, check.path(), "HTTP/1.1",
                HeaderFields.of("Host", host, "Connection", "close", "User-Agent", "cachalot-health-check",
                        "Accept", "*/*"));
        OriginResponse r;
        try {
            r = client.send(server, head, null);
        } catch (OriginException e) {
            return new Outcome(false, e.kind().message());
        } catch (RuntimeException e) {
            return new Outcome(false, "check failed: " + e);
        }
        int status = r.head().status();
        try (InputStream in = r.body()) {
            byte[] buf = new byte[8192];
            long read = 0;
            int n;
            while (read <= MAX_BODY && (n = in.read(buf)) >= 0) {
                read += n;
            }
        } catch (IOException e) {
            r.abort();
            return new Outcome(false, "status " + status + ", body failed: " + e.getMessage());
        }
        r.close(); // aborts when the body was not read to its end
        return check.passes(status) ? new Outcome(true, Integer.toString(status))
                : new Outcome(false, "unexpected status " + status + " (expected " + check.expectStatus() + ")");
    }

    @Override
    public void close() {
        clients.values().forEach(HttpOriginClient::close);
        clients.clear();
    }
}
