package dev.cachalot.purge;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An immutable snapshot of the active bans, indexed for the lookup check: tag and host bans in
 * hash maps, prefix bans in a list (there are few; each is one {@code startsWith}). The newest ban
 * time comes first, so an entry fetched after every ban costs one comparison.
 */
final class BanIndex {
    /** No bans. */
    static final BanIndex EMPTY = new BanIndex(List.of());

    private static final Comparator<Ban> BY_TIME = Comparator.comparing(Ban::time).thenComparingLong(Ban::id);

    private final List<Ban> bans;
    private final Instant newest;
    private final Map<String, List<Ban>> byTag = new HashMap<>();
    private final Map<String, List<Ban>> byHost = new HashMap<>();
    private final List<Ban> prefixes = new ArrayList<>();

    BanIndex(Collection<Ban> all) {
        List<Ban> sorted = new ArrayList<>(all);
        sorted.sort(BY_TIME);
        this.bans = List.copyOf(sorted);
        this.newest = sorted.isEmpty() ? Instant.MIN : sorted.get(sorted.size() - 1).time();
        for (Ban b : sorted) {
            switch (b.kind()) {
                case TAG -> byTag.computeIfAbsent(b.value(), k -> new ArrayList<>()).add(b);
                case HOST -> byHost.computeIfAbsent(b.value(), k -> new ArrayList<>()).add(b);
                case PREFIX -> prefixes.add(b);
                default -> throw new IllegalStateException("unknown kind " + b.kind());
            }
        }
    }

    /** The time of the newest ban ({@link Instant#MIN} when there is none). */
    Instant newest() {
        return newest;
    }

    /** The bans, oldest first. */
    List<Ban> bans() {
        return bans;
    }

    boolean isEmpty() {
        return bans.isEmpty();
    }

    /** True when some ban selects by tag (only then must an entry's tags be parsed). */
    boolean hasTagBans() {
        return !byTag.isEmpty();
    }

    /** This index with {@code ban} added. */
    BanIndex with(Ban ban) {
        List<Ban> all = new ArrayList<>(bans);
        all.add(ban);
        return new BanIndex(all);
    }

    /** This index without the bans whose ids are in {@code ids}. */
    BanIndex without(Set<Long> ids) {
        List<Ban> keep = new ArrayList<>();
        for (Ban b : bans) {
            if (!ids.contains(b.id())) {
                keep.add(b);
            }
        }
        return keep.size() == bans.size() ? this : new BanIndex(keep);
    }

    /**
     * The ban that covers an entry whose request was sent at {@code requestTime}, whose cache key
     * is {@code key} and whose tags are {@code tags}, or null. A hard ban wins over soft ones (the
     * entry goes); among bans of one mode the oldest that is newer than the entry wins (a soft
     * purge makes it stale as of the first purge that covered it).
     */
    Ban match(Instant requestTime, String key, Set<String> tags) {
        if (!requestTime.isBefore(newest)) {
            return null;
        }
        Ban[] best = {null, null}; // oldest hard, oldest soft
        for (String t : tags) {
            consider(byTag.get(t), requestTime, best);
        }
        if (!byHost.isEmpty()) {
            consider(byHost.get(BanTargets.hostOf(key)), requestTime, best);
        }
        for (Ban b : prefixes) {
            if (b.newerThan(requestTime) && key.startsWith(b.value())) {
                keep(b, best);
            }
        }
        return best[0] != null ? best[0] : best[1];
    }

    private static void consider(List<Ban> candidates, Instant requestTime, Ban[] best) {
        if (candidates == null) {
            return;
        }
        for (Ban b : candidates) {
            if (b.newerThan(requestTime)) {
                keep(b, best);
            }
        }
    }

    private static void keep(Ban b, Ban[] best) {
        int slot = b.mode() == PurgeMode.HARD ? 0 : 1;
        if (best[slot] == null || BY_TIME.compare(b, best[slot]) < 0) {
            best[slot] = b;
        }
    }
}
