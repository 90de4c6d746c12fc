package dev.cachalot.purge;

import java.time.Instant;
import java.util.Objects;

/**
 * One purge by tag, prefix or host, recorded instead of searched for (Varnish's ban list): every
 * entry whose request was sent before {@code time} and that {@code kind}/{@code value} selects is
 * treated as purged when it is looked up, until the sweeper has applied the ban to the whole
 * store and retires it.
 *
 * @param id    increasing number, unique within the cache directory
 * @param kind  what the value selects by
 * @param value the normalised value ({@link BanTargets#normalize})
 * @param mode  hard (entries removed) or soft (entries made stale as of {@code time})
 * @param time  when the purge was made
 */
public record Ban(long id, BanKind kind, String value, PurgeMode mode, Instant time) {
    public Ban {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(time, "time");
    }

    /** True when this ban covers an entry whose request was sent at {@code requestTime}. */
    boolean newerThan(Instant requestTime) {
        return requestTime.isBefore(time);
    }
}
