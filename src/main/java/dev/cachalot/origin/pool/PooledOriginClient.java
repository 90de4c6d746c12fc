package dev.cachalot.origin.pool;

import dev.cachalot.config.OriginConfig;
import dev.cachalot.config.RouteConfig;
import dev.cachalot.http.Methods;
import dev.cachalot.http.RequestHead;
import dev.cachalot.http.ResponseHead;
import dev.cachalot.origin.HttpOriginClient;
import dev.cachalot.origin.OriginClient;
import dev.cachalot.origin.OriginException;
import dev.cachalot.origin.OriginResponse;
import dev.cachalot.origin.OriginTarget;
import dev.cachalot.origin.RequestBody;
import dev.cachalot.policy.CacheKeys;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The origin pool layer: an {@link OriginClient} that, for a request to a route, chooses one of the
 * route's servers ({@link OriginPool}) and sends the request there through the inner client (one
 * HttpClient connection pool, with its own pooled connections per server). It records every
 * outcome in the server's health (passive ejection), retries a connect failure on another server
 * when that is safe, and answers {@link OriginException.Kind#NO_HEALTHY_SERVER} when no server may
 * be used. A target whose route has no pool goes to the inner client unchanged.
 *
 * <p>Retry rule (the only one): a request is tried on another server (at most
 * {@code pool.maxRetries} times, never twice on one server) only when its method is idempotent
 * (RFC 9110 §9.2.2) and either
 * <ul>
 *   <li>the failure happened before anything was sent (connect refused or timed out, name or TLS
 *       failure, no pooled connection free) and its body, if any, was never opened; or</li>
 *   <li>it has no body and the server closed the connection without sending any response byte
 *       (a kept-alive connection the server had already closed, e.g. because it is stopping):
 *       RFC 9110 §9.2.2 lets a client repeat an idempotent request after such a communication
 *       failure, and there is no body to resend.</li>
 * </ul>
 * So a request body is never sent twice, a non-idempotent request is never repeated, and a slow or
 * garbled answer (response timeout, invalid response) is never asked for again elsewhere. Nothing
 * has been sent to the client at that point: the retries happen before a response head exists.
 */
public final class PooledOriginClient implements OriginClient {
    private static final Logger LOG = LoggerFactory.getLogger(PooledOriginClient.class);

    private final OriginClient inner;
    /** The pools by route name; a reload swaps the whole map ({@link #reconfigure}). */
    private volatile Map<String, OriginPool> pools;
    private final InstantSource clock;
    private final HealthChecker checker;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param inner   sends to one server
     * @param pools   the pools by route name
     * @param clock   the time source for health and ejection
     * @param checker runs the active checks (started here), or null for none
     */
    public PooledOriginClient(OriginClient inner, Collection<OriginPool> pools, InstantSource clock,
                              HealthChecker checker) {
        this.inner = inner;
        Map<String, OriginPool> m = new LinkedHashMap<>();
        for (OriginPool p : pools) {
            m.put(p.route(), p);
        }
        this.pools = Collections.unmodifiableMap(m); // route order kept
        this.clock = clock;
        this.checker = checker;
        if (checker != null) {
            checker.start(this.pools.values());
        }
    }

    /** The pools of {@code routes} over a new {@link HttpOriginClient}, with HTTP health checks on daemon threads. */
    public static PooledOriginClient create(List<RouteConfig> routes, OriginConfig origin, InstantSource clock) {
        List<OriginPool> pools = pools(routes);
        int checked = 0;
        for (OriginPool p : pools) {
            if (p.config().healthCheck().enabled()) {
                checked += p.members().size();
            }
        }
        HttpOriginClient inner = new HttpOriginClient(origin);
        // Always a checker (its threads start with the first check), so a reload can turn checks on.
        HealthChecker checker = new HealthChecker(new HttpHealthProbe(),
                CheckScheduler.threads(Math.max(1, Math.min(4, checked))), clock);
        return new PooledOriginClient(inner, pools, clock, checker);
    }

    /** One pool per route. */
    public static List<OriginPool> pools(List<RouteConfig> routes) {
        List<OriginPool> pools = new ArrayList<>();
        for (RouteConfig r : routes) {
            pools.add(OriginPool.of(r.name(), r.pool(), r.hostHeader()));
        }
        return pools;
    }

    /** The pools in route order (for metrics and the admin listener). */
    public Collection<OriginPool> pools() {
        return pools.values();
    }

    /**
     * Builds the pools of {@code routes} for a reload (docs/operations.md, "Live reload"), reusing
     * what did not change ({@link OriginPool#reconfigured}); nothing runs differently until the
     * returned change is committed. Requests in flight finish on the server they were sent to.
     *
     * @throws IllegalArgumentException when a server URL is not usable (the reload is then refused)
     */
    public Reconfiguration reconfigure(List<RouteConfig> routes) {
        Map<String, OriginPool> running = pools;
        Map<String, OriginPool> next = new LinkedHashMap<>();
        for (RouteConfig r : routes) {
            next.put(r.name(), OriginPool.reconfigured(running.get(r.name()), r.name(), r.pool(), r.hostHeader()));
        }
        return new Reconfiguration(List.copyOf(running.values()), List.copyOf(next.values()), () -> {
            pools = Collections.unmodifiableMap(next);
            if (checker != null) {
                checker.watch(next.values());
            }
        });
    }

    /**
     * A prepared change of the pools: what ran before, what runs after {@link #commit()}.
     *
     * @param before the pools in force when it was prepared
     * @param after  the pools it puts in force
     * @param swap   swaps them in and updates the health checks; must not fail
     */
    public record Reconfiguration(List<OriginPool> before, List<OriginPool> after, Runnable swap) {
        /** Puts {@link #after()} in force. */
        public void commit() {
            swap.run();
        }
    }

    /** The pool of a route, or null. */
    public OriginPool pool(String route) {
        return pools.get(route);
    }

    @Override
    public OriginResponse send(OriginTarget target, RequestHead head, RequestBody body) throws OriginException {
        OriginPool pool = pools.get(target.route());
        if (pool == null) {
            return inner.send(target, head, body);
        }
        OnceBody once = body == null ? null : new OnceBody(body);
        long keyHash = pool.usesKey() ? KeyHash.of(CacheKeys.primary(head)) : 0L;
        List<PoolMember> tried = null;
        OriginException last = null;
        for (int attempt = 0; ; attempt++) {
            OriginPool.Selection s = pool.choose(keyHash, clock.instant(), tried);
            if (s instanceof OriginPool.Selection.NoServer) {
                if (last != null) {
                    throw last; // every server that was up has been tried: the last failure stands
                }
                pool.countNoServer();
                throw new OriginException(OriginException.Kind.NO_HEALTHY_SERVER, "route " + pool.route(), null,
                        ((OriginPool.Selection.NoServer) s).retryAfter());
            }
            PoolMember m = ((OriginPool.Selection.Chosen) s).member();
            if (attempt > 0) {
                pool.countRetry();
            }
            OriginResponse r;
            m.started();
            try {
                r = inner.send(m.target(), head, once);
            } catch (OriginException e) {
                m.finished();
                if (countsAgainstServer(e.kind())) {
                    onError(pool, m, e.getMessage());
                }
                boolean retry = attempt < pool.config().maxRetries() && retryable(e.kind(), head.method(), once);
                if (!retry) {
                    throw e;
                }
                if (tried == null) {
                    tried = new ArrayList<>(2);
                }
                tried.add(m);
                last = e;
                LOG.debug("retrying {} {} of route {} on another server after {}: {}", head.method(), head.target(),
                        pool.route(), m.url(), e.getMessage());
                continue;
            } catch (RuntimeException e) {
                m.finished();
                throw e;
            }
            int status = r.head().status();
            if (status >= 500 && pool.config().ejection().on5xx()) {
                onError(pool, m, "status " + status);
            } else {
                m.health().onSuccess(clock.instant());
            }
            return new MemberResponse(r, m, pool);
        }
    }

    /** Failures that say something about the server (not about our pool or the client). */
    static boolean countsAgainstServer(OriginException.Kind kind) {
        switch (kind) {
            case POOL_EXHAUSTED:
            case CLIENT_BODY:
            case NO_HEALTHY_SERVER:
                return false;
            default:
                return true;
        }
    }

    /** The retry rule of the class comment. */
    static boolean retryable(OriginException.Kind kind, String method, OnceBody body) {
        if (!Methods.isIdempotent(method)) {
            return false;
        }
        if (nothingSent(kind)) {
            return body == null || !body.opened();
        }
        return kind == OriginException.Kind.RESET && body == null;
    }

    /** Failures that happen before any byte of the request was written. */
    static boolean nothingSent(OriginException.Kind kind) {
        switch (kind) {
            case CONNECT_REFUSED:
            case CONNECT_TIMEOUT:
            case UNKNOWN_HOST:
            case TLS:
            case POOL_EXHAUSTED:
                return true;
            default:
                return false;
        }
    }

    private void onError(OriginPool pool, PoolMember m, String why) {
        Instant now = clock.instant();
        if (m.health().onError(now) == ServerHealth.Transition.EJECTED) {
            LOG.warn("origin server {} of route {} ejected until {} after {} errors in a row (last: {})", m.url(),
                    pool.route(), m.health().ejectedUntil(now), pool.config().ejection().consecutiveErrors(), why);
        }
    }

    @Override
    public PoolStats poolStats() {
        return inner.poolStats();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (checker != null) {
            checker.close();
        }
        inner.close();
    }

    /** A request body that remembers whether it was opened (then it must never be sent again). */
    static final class OnceBody implements RequestBody {
        private final RequestBody body;
        private volatile boolean opened;

        OnceBody(RequestBody body) {
            this.body = body;
        }

        boolean opened() {
            return opened;
        }

        @Override
        public long length() {
            return body.length();
        }

        @Override
        public InputStream open() throws IOException {
            opened = true;
            return body.open();
        }
    }

    /** A server's response: ends the server's active-request count once, and counts body failures. */
    private final class MemberResponse implements OriginResponse {
        private final OriginResponse r;
        private final PoolMember m;
        private final OriginPool pool;
        private final InputStream body;
        private final AtomicBoolean done = new AtomicBoolean();

        MemberResponse(OriginResponse r, PoolMember m, OriginPool pool) {
            this.r = r;
            this.m = m;
            this.pool = pool;
            this.body = new FilterInputStream(r.body()) {
                @Override
                public int read() throws IOException {
                    try {
                        return super.read();
                    } catch (OriginException e) {
                        bodyFailed(e);
                        throw e;
                    }
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    try {
                        return super.read(b, off, len);
                    } catch (OriginException e) {
                        bodyFailed(e);
                        throw e;
                    }
                }
            };
        }

        private void bodyFailed(OriginException e) {
            if (countsAgainstServer(e.kind())) {
                onError(pool, m, e.getMessage());
            }
        }

        @Override
        public ResponseHead head() {
            return r.head();
        }

        @Override
        public InputStream body() {
            return body;
        }

        @Override
        public long contentLength() {
            return r.contentLength();
        }

        @Override
        public long headNanos() {
            return r.headNanos();
        }

        @Override
        public void close() {
            try {
                r.close();
            } finally {
                end();
            }
        }

        @Override
        public void abort() {
            try {
                r.abort();
            } finally {
                end();
            }
        }

        private void end() {
            if (done.compareAndSet(false, true)) {
                m.finished();
            }
        }
    }
}
