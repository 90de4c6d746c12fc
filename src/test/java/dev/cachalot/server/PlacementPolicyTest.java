package dev.cachalot.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.lists;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which I/O thread a new connection goes to: the incoming CPU's thread within the balance guard. */
class PlacementPolicyTest {

    private static int min(int[] open) {
        return Arrays.stream(open).min().orElseThrow();
    }

    private static int max(int[] open) {
        return Arrays.stream(open).max().orElseThrow();
    }

    private static long total(int[] open) {
        return Arrays.stream(open).asLongStream().sum();
    }

    private static int[] counts(List<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void theChosenThreadNeverHoldsMoreThanTheLeastLoadedPlusTheSlack() {
        qt().withFixedSeed(20261126L).withExamples(2000)
                .forAll(lists().of(integers().between(0, 5000)).ofSizeBetween(1, 16), integers().between(-1, 255))
                .checkAssert((values, cpu) -> {
                    int[] open = counts(values);
                    int chosen = PlacementPolicy.choose(cpu, open);
                    assertTrue(chosen >= 0 && chosen < open.length);
                    assertTrue(open[chosen] <= min(open) + PlacementPolicy.slack(total(open), open.length),
                            () -> Arrays.toString(open) + " cpu " + cpu + " -> " + chosen);
                });
    }

    @Test
    void theIncomingCpusThreadIsChosenWhileItIsWithinTheGuard() {
        qt().withFixedSeed(20261127L).withExamples(2000)
                .forAll(lists().of(integers().between(0, 5000)).ofSizeBetween(1, 16), integers().between(0, 255))
                .checkAssert((values, cpu) -> {
                    int[] open = counts(values);
                    int preferred = cpu % open.length;
                    boolean within = open[preferred] <= min(open) + PlacementPolicy.slack(total(open), open.length);
                    int chosen = PlacementPolicy.choose(cpu, open);
                    if (within) {
                        assertEquals(preferred, chosen, () -> Arrays.toString(open) + " cpu " + cpu);
                    } else {
                        assertEquals(min(open), open[chosen], () -> Arrays.toString(open) + " cpu " + cpu);
                    }
                });
    }

    @Test
    void anUnknownCpuGoesToALeastLoadedThread() {
        qt().withFixedSeed(20261128L).withExamples(2000)
                .forAll(lists().of(integers().between(0, 5000)).ofSizeBetween(1, 16), integers().between(-1000, -1))
                .checkAssert((values, cpu) -> {
                    int[] open = counts(values);
                    assertEquals(min(open), open[PlacementPolicy.choose(cpu, open)]);
                });
    }

    @Test
    void acceptsFromAnyMixOfCpusNeverSpreadTheThreadsBeyondTheSlack() {
        // Only accepts (no closes): after every one the spread is at most the slack + 1.
        qt().withFixedSeed(20261129L).withExamples(300)
                .forAll(integers().between(1, 8), lists().of(integers().between(-1, 7)).ofSizeBetween(0, 400))
                .checkAssert((threads, cpus) -> {
                    int[] open = new int[threads];
                    for (int cpu : cpus) {
                        open[PlacementPolicy.choose(cpu, open)]++;
                        assertTrue(max(open) - min(open) <= PlacementPolicy.slack(total(open), threads) + 1,
                                () -> Arrays.toString(open));
                    }
                });
    }

    @Test
    void connectionsOfUnknownCpuStayEvenlySpread() {
        qt().withFixedSeed(20261130L).withExamples(300)
                .forAll(integers().between(1, 8), integers().between(0, 400))
                .checkAssert((threads, n) -> {
                    int[] open = new int[threads];
                    for (int i = 0; i < n; i++) {
                        open[PlacementPolicy.choose(-1, open)]++;
                    }
                    assertTrue(max(open) - min(open) <= 1, () -> Arrays.toString(open));
                });
    }

    @Test
    void twoClientThreadsOnTwoCpusGetOneIoThreadEach() {
        int[] open = new int[2];
        int[] fromCpu0 = new int[2];
        for (int i = 0; i < 64; i++) {
            int cpu = i % 2;
            int chosen = PlacementPolicy.choose(cpu, open);
            open[chosen]++;
            if (cpu == 0) {
                fromCpu0[chosen]++;
            }
        }
        assertArrayEquals(new int[] {32, 32}, open);
        assertArrayEquals(new int[] {32, 0}, fromCpu0);
    }

    @Test
    void aCpuNumberAboveTheThreadCountWrapsAround() {
        assertEquals(1, PlacementPolicy.choose(5, new int[] {0, 0}));
        assertEquals(2, PlacementPolicy.choose(14, new int[] {3, 3, 3, 3}));
    }

    @Test
    void connectionsAllFromOneCpuSpillOverOnceTheGuardIsReached() {
        int[] open = new int[2];
        for (int i = 0; i < 64; i++) {
            open[PlacementPolicy.choose(0, open)]++;
        }
        // Thread 0 is preferred; the guard lets it lead by the slack (8 up to 64 open) and no more.
        assertEquals(64, open[0] + open[1]);
        assertTrue(open[0] - open[1] >= PlacementPolicy.MIN_SLACK, Arrays.toString(open));
        assertTrue(open[0] - open[1] <= PlacementPolicy.MIN_SLACK + 1, Arrays.toString(open));
    }

    @Test
    void theSlackGrowsWithTheOpenConnections() {
        assertEquals(8, PlacementPolicy.slack(0, 2));
        assertEquals(8, PlacementPolicy.slack(64, 2));
        assertEquals(1250, PlacementPolicy.slack(10_000, 2));
    }
}
