package dev.cachalot.purge;

import dev.cachalot.pipeline.PurgeGate;
import dev.cachalot.policy.PolicyConfig;
import dev.cachalot.policy.RouteOverrides;
import dev.cachalot.policy.StoredResponse;
import dev.cachalot.store.StoredEntry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The pipeline's {@link PurgeGate} over a {@link BanList}: an entry whose request was sent before
 * a ban that selects it is purged (hard: removed; soft: stale as of the ban). The first test is
 * one comparison of the entry's request time with the newest ban's time, so entries fetched after
 * every ban, which is nearly all of them, pay nothing else; only older ones have their key and
 * tags looked at.
 */
final class BanGate implements PurgeGate {
    private final BanList bans;
    private final PolicyConfig policy;
    private final List<String> tagHeaders;

    BanGate(BanList bans, PolicyConfig policy, List<String> tagHeaders) {
        this.bans = Objects.requireNonNull(bans, "bans");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.tagHeaders = List.copyOf(tagHeaders);
    }

    @Override
    public Verdict check(StoredEntry entry, StoredResponse view, RouteOverrides overrides) {
        Ban b = banFor(entry, bans.index());
        return b == null ? Verdict.KEEP : verdict(b.mode(), b.time(), view, overrides);
    }

    @Override
    public Verdict checkCommitted(StoredEntry entry, StoredResponse view, RouteOverrides overrides) {
        Verdict v = check(entry, view, overrides);
        if (v == Verdict.REMOVE || bans.noRecentUrlPurges()) {
            return v;
        }
        BanList.UrlPurge u = bans.recentUrlPurge(keyOf(entry));
        Instant t = entry.head().requestTime();
        if (u == null) {
            return v;
        }
        if (u.hard() != null && t.isBefore(u.hard())) {
            return Verdict.REMOVE;
        }
        if (v == Verdict.KEEP && u.soft() != null && t.isBefore(u.soft())) {
            return verdict(PurgeMode.SOFT, u.soft(), view, overrides);
        }
        return v;
    }

    @Override
    public FillTicket fillStarting() {
        return bans.fillStarting();
    }

    /** The ban of {@code index} that covers {@code entry}, or null. */
    Ban banFor(StoredEntry entry, BanIndex index) {
        Instant t = entry.head().requestTime();
        if (!t.isBefore(index.newest())) {
            return null;
        }
        Set<String> tags = index.hasTagBans() ? EntryTags.of(entry.head().fields(), tagHeaders) : Set.of();
        return index.match(t, keyOf(entry), tags);
    }

    /** The verdict of a purge in {@code mode} made at {@code at}. */
    Verdict verdict(PurgeMode mode, Instant at, StoredResponse view, RouteOverrides overrides) {
        if (mode == PurgeMode.HARD) {
            return Verdict.REMOVE;
        }
        StoredResponse stale = SoftExpiry.staleAt(view, at, policy, overrides == null ? RouteOverrides.NONE : overrides);
        return stale == null ? Verdict.REMOVE : new Verdict.Stale(stale);
    }

    static String keyOf(StoredEntry entry) {
        return new String(entry.key().primary(), StandardCharsets.UTF_8);
    }
}
