package dev.cachalot.origin.pool;

import java.util.List;
import java.util.function.Predicate;

/**
 * Smooth weighted round-robin (the nginx algorithm): on each pick every eligible server's current
 * weight grows by its weight, the largest is chosen and reduced by the total. Over any window of
 * (sum of weights) picks each server is chosen exactly weight times, interleaved rather than in
 * bursts; servers that are not eligible neither gain nor lose.
 */
public final class WeightedRoundRobin implements ServerSelector {
    private final List<PoolMember> members;
    private final long[] current;

    public WeightedRoundRobin(List<PoolMember> members) {
        this.members = List.copyOf(members);
        this.current = new long[this.members.size()];
    }

    @Override
    public synchronized PoolMember pick(long keyHash, Predicate<PoolMember> eligible) {
        long total = 0;
        int best = -1;
        for (int i = 0; i < members.size(); i++) {
            PoolMember m = members.get(i);
            if (!eligible.test(m)) {
                continue;
            }
            current[i] += m.weight();
            total += m.weight();
            if (best < 0 || current[i] > current[best]) {
                best = i;
            }
        }
        if (best < 0) {
            return null;
        }
        current[best] -= total;
        return members.get(best);
    }

    @Override
    public boolean usesKey() {
        return false;
    }
}
