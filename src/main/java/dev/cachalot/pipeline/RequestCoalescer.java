package dev.cachalot.pipeline;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.RequestHead;
import dev.cachalot.http.ResponseHead;
import dev.cachalot.origin.OriginException;
import dev.cachalot.policy.CacheKeys;
import dev.cachalot.store.StoreKey;
import dev.cachalot.store.StoredEntry;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Request collapsing: at most one origin exchange per primary key in flight. The first request
 * that needs the origin for a key becomes the leader of a {@link Flight}; later requests for the
 * same key become followers and wait (bounded by {@code collapseWait}) for the leader's
 * {@link Result}. Also remembers "hit-for-miss": a key whose last answer was not storable skips
 * collapsing for {@code hitForMissTtl}, so the next requests go straight to the origin instead of
 * queueing behind each other (Varnish's hit-for-miss object).
 */
final class RequestCoalescer {
    /** Marks kept before expired ones are swept on insert (bounds the map under key churn). */
    private static final int MAX_HIT_FOR_MISS_KEYS = 100_000;

    private final ConcurrentHashMap<StoreKey, Flight> flights = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<StoreKey, Instant> hitForMiss = new ConcurrentHashMap<>();
    private final InstantSource clock;
    private final Duration collapseWait;
    private final Duration hitForMissTtl;
    private final AtomicLong followers = new AtomicLong();
    private final AtomicLong followerTimeouts = new AtomicLong();

    RequestCoalescer(InstantSource clock, Duration collapseWait, Duration hitForMissTtl) {
        this.clock = clock;
        this.collapseWait = collapseWait;
        this.hitForMissTtl = hitForMissTtl;
    }

    /** What the leader tells its followers once it knows how the origin answered. */
    sealed interface Result {
        /**
         * A storable response whose body is arriving: followers whose selecting fields match stream
         * it (and may continue from {@code committed} when they fall behind).
         *
         * @param head          the response head as stored (client-neutral)
         * @param varyNames     the Vary names of the response (lower case), for the follower's match
         * @param leaderFields  the leader request's fields (its selecting values)
         * @param contentLength body length, -1 when unknown
         * @param body          the fan-out body
         * @param committed     completes with the committed entry, or empty when nothing was stored
         */
        record Streaming(ResponseHead head, int originStatus, List<String> varyNames, HeaderFields leaderFields,
                         long contentLength, InFlightBody body, CompletableFuture<Optional<StoredEntry>> committed)
                implements Result {
            /** True when {@code request} selects this response (RFC 9111 §4.1, policy's variant key). */
            boolean selects(RequestHead request) {
                if (varyNames.isEmpty()) {
                    return true;
                }
                String mine = CacheKeys.variant(varyNames, request.headers());
                return mine != null && mine.equals(CacheKeys.variant(varyNames, leaderFields));
            }
        }

        /** The store was updated (a 304 merged, or an entry appeared): look the key up again. */
        record LookAgain() implements Result {}

        /** The response is not shareable (not storable, request-specific): fetch on your own. */
        record GoAlone(String why) implements Result {}

        /** The origin failed before a response head: the followers share the failure. */
        record Failed(OriginException error) implements Result {}
    }

    /** One origin exchange in flight for a primary key. */
    static final class Flight {
        private final StoreKey key;
        private final CompletableFuture<Result> result = new CompletableFuture<>();
        private final AtomicLong followerCount = new AtomicLong();

        private Flight(StoreKey key) {
            this.key = key;
        }

        StoreKey key() {
            return key;
        }

        /** Number of followers that joined. */
        long followers() {
            return followerCount.get();
        }

        /**
         * True when the leader had already published a streaming result whose body was cut off:
         * a request joining now arrived after that failure and was never a waiter of it.
         */
        boolean failedAlready() {
            Result r = result.getNow(null);
            return r instanceof Result.Streaming s && s.body().isAborted();
        }
    }

    /** The role a request got: leader (must call {@link #publish} and {@link #finish}) or follower. */
    record Join(Flight flight, boolean leader) {}

    /** Joins the flight for {@code primary}, becoming its leader when there is none. */
    Join join(StoreKey primary) {
        Objects.requireNonNull(primary);
        Flight mine = new Flight(primary);
        Flight existing = flights.putIfAbsent(primary, mine);
        if (existing == null) {
            return new Join(mine, true);
        }
        existing.followerCount.incrementAndGet();
        followers.incrementAndGet();
        return new Join(existing, false);
    }

    /**
     * The flight in progress for {@code primary}, or null, without joining it (a range request that
     * may read the leader's body but never becomes a leader or a counted follower).
     */
    Flight current(StoreKey primary) {
        return flights.get(primary);
    }

    /** The leader publishes how the origin answered; followers wake up. Idempotent. */
    void publish(Flight flight, Result result) {
        flight.result.complete(result);
    }

    /** The leader leaves: later requests start a new flight. Publishes GoAlone if nothing was published. */
    void finish(Flight flight) {
        flights.remove(flight.key, flight);
        flight.result.complete(new Result.GoAlone("leader ended without an answer"));
    }

    /** A follower waits for the leader's answer; after {@code collapseWait} it gives up and goes alone. */
    Result await(Flight flight) {
        try {
            return flight.result.get(collapseWait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            followerTimeouts.incrementAndGet();
            return new Result.GoAlone("collapse wait timed out");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result.GoAlone("interrupted");
        } catch (ExecutionException e) {
            return new Result.GoAlone("leader failed: " + e.getCause());
        }
    }

    /** True while the key is marked hit-for-miss (expired marks are dropped here). */
    boolean isHitForMiss(StoreKey primary) {
        if (hitForMiss.isEmpty()) {
            return false;
        }
        Instant until = hitForMiss.get(primary);
        if (until == null) {
            return false;
        }
        if (clock.instant().isBefore(until)) {
            return true;
        }
        hitForMiss.remove(primary, until);
        return false;
    }

    /** Marks the key hit-for-miss for the configured time (no-op when it is zero). */
    void markHitForMiss(StoreKey primary) {
        if (!hitForMissTtl.isZero()) {
            Instant now = clock.instant();
            if (hitForMiss.size() >= MAX_HIT_FOR_MISS_KEYS) {
                hitForMiss.values().removeIf(until -> !now.isBefore(until));
            }
            hitForMiss.put(primary, now.plus(hitForMissTtl));
        }
    }

    /** Forgets a hit-for-miss mark (a storable answer arrived). */
    void clearHitForMiss(StoreKey primary) {
        if (!hitForMiss.isEmpty()) {
            hitForMiss.remove(primary);
        }
    }

    /** Flights currently in progress. */
    int inFlight() {
        return flights.size();
    }

    /** Followers that joined a flight so far. */
    long followersJoined() {
        return followers.get();
    }

    /** Followers that gave up waiting so far. */
    long followerTimeouts() {
        return followerTimeouts.get();
    }
}
