package dev.cachalot.pipeline;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.RequestHead;
import dev.cachalot.http.ResponseHead;
import dev.cachalot.http.StatusCodes;
import dev.cachalot.policy.AgeCalculator;
import dev.cachalot.policy.CacheControl;
import dev.cachalot.policy.CacheKeys;
import dev.cachalot.policy.DeltaSeconds;
import dev.cachalot.policy.Freshness;
import dev.cachalot.policy.PolicyConfig;
import dev.cachalot.policy.ResponseDirectives;
import dev.cachalot.policy.RouteOverrides;
import dev.cachalot.policy.StoredResponse;
import dev.cachalot.store.EntryHead;
import dev.cachalot.store.HeaderField;
import dev.cachalot.store.StoreKey;
import dev.cachalot.store.StoredEntry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The mapping between the HTTP model and the storage SPI: keys, heads and retention.
 *
 * <p>An {@link EntryHead} holds the stored response fields followed by the request's selecting
 * fields (the values of the fields its {@code Vary} names, RFC 9111 §4.1), the latter with their
 * names prefixed by {@value #SELECTING_PREFIX}; a colon can never start a real field name (it is
 * not a tchar, RFC 9110 §5.1), so the two sets cannot be confused.
 *
 * <p>Public for the two static mappings other packages must share exactly (purge builds keys and
 * policy views the same way the pipeline does); instances stay package-private.
 */
public final class StoreAdapter {
    /** Name prefix of the stored selecting request fields. */
    static final String SELECTING_PREFIX = ":sel:";

    private final PolicyConfig policy;
    private final Duration keepWindow;

    StoreAdapter(PolicyConfig policy, Duration keepWindow) {
        this.policy = policy;
        this.keepWindow = keepWindow;
    }

    /** The primary key (scheme, authority, path and query; policy's {@link CacheKeys}) with an empty variant. */
    public static StoreKey primaryKey(RequestHead request) {
        return StoreKey.of(CacheKeys.primaryBytes(request));
    }

    /**
     * {@link #primaryKey(RequestHead)} for a thread that looks keys up on every request (the I/O
     * threads' fast path, where a hot object is asked for again and again): the key is a pure
     * function of the three URI parts and immutable, so the calling thread's {@link KeyMemo} gives
     * back the key it built for the same parts before, sparing the text, its bytes and the hashes.
     * Kept to those few threads so the worker pool's many threads keep no memo each.
     */
    static StoreKey primaryKeyRemembered(RequestHead request) {
        return KEYS.get().key(request);
    }

    private static final ThreadLocal<KeyMemo> KEYS = ThreadLocal.withInitial(KeyMemo::new);

    /**
     * One thread's last primary keys, direct-mapped by the hash of authority and target: slot
     * {@code i} holds the URI parts a key was built from and that key (compared by value, so
     * requests of different connections, and heads parsed anew by Undertow, find it too). Reused in
     * place (no allocation beyond the key itself when a slot is replaced); only its own thread
     * touches it. Targets longer than {@link #MAX_TARGET} are not kept (bounds what a thread holds).
     */
    static final class KeyMemo {
        /** Number of slots (a power of two). */
        static final int SLOTS = 128;
        /** Longest target kept, in chars. */
        static final int MAX_TARGET = 256;
        private final String[] schemes = new String[SLOTS];
        private final String[] authorities = new String[SLOTS];
        private final String[] targets = new String[SLOTS];
        private final StoreKey[] keys = new StoreKey[SLOTS];

        StoreKey key(RequestHead request) {
            String scheme = request.scheme();
            String authority = request.authority();
            String target = request.target();
            int h = target.hashCode() * 31 + authority.hashCode();
            int i = (h ^ (h >>> 16)) & (SLOTS - 1);
            StoreKey k = keys[i];
            if (k != null && target.equals(targets[i]) && authority.equals(authorities[i])
                    && scheme.equals(schemes[i])) {
                return k;
            }
            k = primaryKey(request);
            if (target.length() > MAX_TARGET) {
                return k;
            }
            schemes[i] = scheme;
            authorities[i] = authority;
            targets[i] = target;
            keys[i] = k;
            return k;
        }
    }

    /** The store key of a primary key given as text (invalidation targets, keys rewritten by a key rule). */
    public static StoreKey primaryKey(String primary) {
        return StoreKey.of(primary.getBytes(StandardCharsets.UTF_8));
    }

    /** The key under which the response to {@code request} is stored (null for Vary: *). */
    static StoreKey variantKey(StoreKey primary, ResponseHead response, RequestHead request) {
        String v = CacheKeys.variant(response, request);
        return v == null ? null : primary.withVariant(v.getBytes(StandardCharsets.UTF_8));
    }

    /** The store head for a response stored now. */
    EntryHead toEntryHead(ResponseHead head, HeaderFields selecting, Instant requestTime, Instant responseTime,
                          Instant now, RouteOverrides overrides) {
        List<HeaderField> fields = new ArrayList<>(head.headers().size() + selecting.size());
        HeaderFields h = head.headers();
        for (int i = 0; i < h.size(); i++) {
            fields.add(new HeaderField(h.name(i), SharedFieldValues.shared(h.name(i), h.value(i))));
        }
        for (int i = 0; i < selecting.size(); i++) {
            fields.add(new HeaderField(SELECTING_PREFIX + selecting.name(i),
                    SharedFieldValues.shared(selecting.name(i), selecting.value(i))));
        }
        return new EntryHead(head.status(), fields, requestTime, responseTime,
                retainUntil(head, requestTime, responseTime, now, overrides));
    }

    /** The store head after an update (304 merge): new head fields and times, same selecting fields. */
    EntryHead updatedEntryHead(StoredResponse old, ResponseHead merged, Instant requestTime, Instant responseTime,
                               Instant now, RouteOverrides overrides) {
        return toEntryHead(merged, old.selectingHeaders(), requestTime, responseTime, now, overrides);
    }

    /**
     * When the store may drop an entry (Varnish ttl + grace + keep): the remaining freshness, plus
     * the longest staleness the response itself allows (RFC 5861 stale-while-revalidate and
     * stale-if-error), plus the configured keep window during which it still serves as a base for
     * conditional revalidation. Policy recomputes freshness on every lookup; this only bounds storage.
     */
    Instant retainUntil(ResponseHead head, Instant requestTime, Instant responseTime, Instant now,
                        RouteOverrides overrides) {
        ResponseDirectives dirs = ResponseDirectives.of(head.headers(), policy, overrides);
        long lifetime = Freshness.lifetime(head, dirs, responseTime, policy, overrides).seconds();
        long age = AgeCalculator.currentAge(requestTime, responseTime, head.headers(), now);
        long remaining = Math.max(0, lifetime - age);
        CacheControl cc = dirs.cc();
        long stale = Math.max(0, Math.max(
                cc.staleWhileRevalidate() == DeltaSeconds.ABSENT ? 0 : cc.staleWhileRevalidate(),
                cc.staleIfError() == DeltaSeconds.ABSENT ? 0 : cc.staleIfError()));
        return now.plusSeconds(remaining).plusSeconds(stale).plus(keepWindow);
    }

    /** The policy view of a stored entry: its response head (without selecting fields) and times. */
    public static StoredResponse toStoredResponse(StoredEntry entry) {
        EntryHead eh = entry.head();
        HeaderFields.Builder response = HeaderFields.builder();
        HeaderFields.Builder selecting = HeaderFields.builder();
        for (HeaderField f : eh.fields()) {
            if (f.name().startsWith(SELECTING_PREFIX)) {
                selecting.add(f.name().substring(SELECTING_PREFIX.length()), f.value());
            } else {
                response.add(f.name(), f.value());
            }
        }
        ResponseHead head = new ResponseHead(eh.status(), StatusCodes.reason(eh.status()), response.build());
        return new StoredResponse(eh.requestTime(), eh.responseTime(), head, selecting.build(), entry.bodyLength());
    }
}
