package dev.cachalot.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.cachalot.forward.Cidr;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The request rate limiter: one token bucket per client address and one per limited route, the
 * limits read from a settings snapshot that {@link #update} swaps atomically (live reload).
 *
 * <p>Memory: client buckets live in a Caffeine cache bounded by {@code maxClients} (least recently
 * used dropped) and expiring after {@code clientIdle} without use, on the same ticker as the buckets,
 * so a flood of distinct addresses costs at most {@code maxClients} small entries. Dropping a
 * bucket only ever forgets a debt: the client starts again with a full bucket (never a false 429).
 * IPv6 clients are keyed by their {@code ipv6Prefix} network. Route buckets are one per configured
 * route limit.
 *
 * <p>Time comes only from the injected nanosecond ticker (tests advance a fake one).
 */
public final class RateLimiter {
    private final LongSupplier ticker;
    private volatile RateLimitConfig config;
    private final Cache<String, TokenBucket> clients;
    private final Map<String, TokenBucket> routes = new ConcurrentHashMap<>();
    private final LongAdder admitted = new LongAdder();
    private final LongAdder limitedByClient = new LongAdder();
    private final LongAdder limitedByRoute = new LongAdder();

    /**
     * @param config the initial settings
     * @param ticker monotonic nanoseconds (never the wall clock directly; see {@link #tickerOf})
     */
    public RateLimiter(RateLimitConfig config, LongSupplier ticker) {
        this.ticker = ticker;
        this.config = config;
        this.clients = Caffeine.newBuilder()
                .maximumSize(config.maxClients())
                .expireAfterAccess(config.clientIdle().toNanos(), TimeUnit.NANOSECONDS)
                .ticker(ticker::getAsLong)
                .executor(Runnable::run) // maintenance on the caller: deterministic, no pool thread
                .build();
    }

    /**
     * A never-decreasing nanosecond ticker over an instant source (the process's one clock): a
     * wall clock stepped backwards pauses refills until it catches up instead of running time back.
     */
    public static LongSupplier tickerOf(InstantSource clock) {
        AtomicLong last = new AtomicLong(Long.MIN_VALUE);
        return () -> {
            Instant i = clock.instant();
            long now = Math.multiplyExact(i.getEpochSecond(), 1_000_000_000L) + i.getNano();
            return last.accumulateAndGet(now, Math::max);
        };
    }

    /** The settings in force. */
    public RateLimitConfig config() {
        return config;
    }

    /** Applies new settings; existing buckets keep their state and obey the new limits at once. */
    public void update(RateLimitConfig next) {
        clients.policy().eviction().ifPresent(e -> e.setMaximum(next.maxClients()));
        clients.policy().expireAfterAccess().ifPresent(e -> e.setExpiresAfter(next.clientIdle()));
        config = next;
        routes.keySet().retainAll(next.routes().keySet());
        if (next.client() == null) {
            clients.invalidateAll();
        }
    }

    /**
     * Takes one token from the client's bucket and one from the route's (each only when that limit
     * is configured). When the second refuses, the first is given back, so a refused request costs
     * nothing.
     *
     * @param clientAddress the true client address (after trusted proxy hops)
     * @param route         the route name
     */
    public Admission acquire(String clientAddress, String route) {
        RateLimitConfig c = config;
        if (!c.enabled()) {
            return Admission.Admitted.FREE;
        }
        long now = ticker.getAsLong();
        TokenBucket cb = null;
        RateLimit cl = c.client();
        String key = null;
        if (cl != null) {
            key = clientKey(clientAddress, c.ipv6Prefix());
            cb = clients.get(key, k -> new TokenBucket(now));
            long wait = cb.tryTake(cl, now);
            if (wait > 0) {
                limitedByClient.increment();
                return new Admission.Limited(LimitScope.CLIENT, cl, key, seconds(wait));
            }
        }
        RateLimit rl = route == null ? null : c.routes().get(route);
        TokenBucket rb = null;
        if (rl != null) {
            rb = routes.computeIfAbsent(route, r -> new TokenBucket(now));
            long wait = rb.tryTake(rl, now);
            if (wait > 0) {
                if (cb != null) {
                    cb.giveBack(cl);
                }
                limitedByRoute.increment();
                return new Admission.Limited(LimitScope.ROUTE, rl, route, seconds(wait));
            }
        }
        admitted.increment();
        return cb == null && rb == null ? Admission.Admitted.FREE : new Admission.Admitted(cb, cl, rb, rl);
    }

    /** Gives back the tokens of an admission that was not used (the request was not counted after all). */
    public void release(Admission.Admitted a) {
        if (a.clientBucket() != null) {
            a.clientBucket().giveBack(a.clientLimit());
        }
        if (a.routeBucket() != null) {
            a.routeBucket().giveBack(a.routeLimit());
        }
        admitted.decrement();
    }

    /** Runs pending bucket evictions now (tests; Caffeine otherwise does it as requests come). */
    void cleanUp() {
        clients.cleanUp();
    }

    /** Counters and sizes for metrics. */
    public Stats stats() {
        return new Stats(admitted.sum(), limitedByClient.sum(), limitedByRoute.sum(), clients.estimatedSize());
    }

    /**
     * Limiter counters.
     *
     * @param admitted        requests that took their tokens (cumulative)
     * @param limitedByClient requests refused by a client limit (cumulative)
     * @param limitedByRoute  requests refused by a route limit (cumulative)
     * @param trackedClients  client buckets held now (approximate)
     */
    public record Stats(long admitted, long limitedByClient, long limitedByRoute, long trackedClients) {}

    /** Seconds until a token, rounded up, at least 1 (Retry-After, RFC 9110 §10.2.3, is whole seconds). */
    static long seconds(long waitNanos) {
        return Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
    }

    /**
     * The bucket key of a client: the address itself for IPv4 (and IPv4-mapped IPv6), the network of
     * {@code ipv6Prefix} bits for IPv6 ("2001:db8:0:1::/64"), the text as given when it is not an IP
     * literal.
     */
    static String clientKey(String address, int ipv6Prefix) {
        if (address == null || address.indexOf(':') < 0) {
            return address == null ? "unknown" : address;
        }
        String s = address;
        int zone = s.indexOf('%');
        if (zone >= 0) {
            s = s.substring(0, zone);
        }
        byte[] b = Cidr.literal(s);
        if (b == null || b.length != 16) {
            return address;
        }
        if (isV4Mapped(b)) {
            return (b[12] & 0xFF) + "." + (b[13] & 0xFF) + "." + (b[14] & 0xFF) + "." + (b[15] & 0xFF);
        }
        StringBuilder sb = new StringBuilder(40);
        for (int i = 0; i < 16; i += 2) {
            int bits = i * 8;
            int keep = Math.max(0, Math.min(16, ipv6Prefix - bits));
            int group = ((b[i] & 0xFF) << 8) | (b[i + 1] & 0xFF);
            group &= keep == 0 ? 0 : (0xFFFF << (16 - keep)) & 0xFFFF;
            if (i > 0) {
                sb.append(':');
            }
            sb.append(Integer.toHexString(group));
        }
        return sb.append('/').append(ipv6Prefix).toString();
    }

    private static boolean isV4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] & 0xFF) == 0xFF && (b[11] & 0xFF) == 0xFF;
    }
}
