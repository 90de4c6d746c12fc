package dev.cachalot.origin.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Consistent hashing on the cache key: each server owns {@value #POINTS_PER_WEIGHT} x weight points
 * on a 64-bit ring (hashes of {@code url#i}); a key goes to the owner of the first point at or after
 * its hash, walking on past servers that are not eligible. A server that leaves (down, ejected, or
 * removed from the configuration) therefore moves only the keys it held, to the next servers on the
 * ring, and gets them back when it returns; the points depend only on the server URLs, never on
 * their order, so a restart maps every key the same way.
 */
public final class ConsistentHashRing implements ServerSelector {
    /** Ring points per unit of weight: enough that shares are within a few percent of the weights. */
    static final int POINTS_PER_WEIGHT = 160;

    private final long[] points;
    private final PoolMember[] owners;
    /** The index of each point's owner in the member list. */
    private final int[] ownerIndex;
    private final int distinct;

    public ConsistentHashRing(List<PoolMember> members) {
        List<long[]> all = new ArrayList<>();
        for (int m = 0; m < members.size(); m++) {
            PoolMember member = members.get(m);
            for (int i = 0; i < POINTS_PER_WEIGHT * member.weight(); i++) {
                all.add(new long[] {KeyHash.of(member.url() + "#" + i), m});
            }
        }
        // Ties (vanishingly rare) are broken by URL so the ring never depends on configuration order.
        all.sort((a, b) -> a[0] != b[0] ? Long.compareUnsigned(a[0], b[0])
                : members.get((int) a[1]).url().compareTo(members.get((int) b[1]).url()));
        this.points = new long[all.size()];
        this.owners = new PoolMember[all.size()];
        this.ownerIndex = new int[all.size()];
        for (int i = 0; i < all.size(); i++) {
            points[i] = all.get(i)[0];
            ownerIndex[i] = (int) all.get(i)[1];
            owners[i] = members.get(ownerIndex[i]);
        }
        this.distinct = members.size();
    }

    @Override
    public PoolMember pick(long keyHash, Predicate<PoolMember> eligible) {
        if (points.length == 0) {
            return null;
        }
        int start = firstAtOrAfter(keyHash);
        // At most one eligibility test per distinct server: remember the ones already refused.
        boolean[] refused = null;
        int refusedCount = 0;
        for (int step = 0; step < points.length; step++) {
            int i = (start + step) % points.length;
            int m = ownerIndex[i];
            if (refused != null && refused[m]) {
                continue;
            }
            if (eligible.test(owners[i])) {
                return owners[i];
            }
            if (refused == null) {
                refused = new boolean[distinct];
            }
            refused[m] = true;
            if (++refusedCount == distinct) {
                return null;
            }
        }
        return null;
    }

    /** Index of the first point at or after {@code h} in unsigned order, wrapping to 0. */
    private int firstAtOrAfter(long h) {
        // The points are sorted unsigned; flipping the sign bit makes signed search order match.
        int lo = 0;
        int hi = points.length;
        long key = h ^ Long.MIN_VALUE;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if ((points[mid] ^ Long.MIN_VALUE) < key) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo == points.length ? 0 : lo;
    }

    @Override
    public boolean usesKey() {
        return true;
    }

    /** Number of points on the ring (for tests). */
    int size() {
        return points.length;
    }
}
