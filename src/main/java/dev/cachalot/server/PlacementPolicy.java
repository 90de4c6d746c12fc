package dev.cachalot.server;

/**
 * Which I/O thread serves a new client connection, given the CPU that received its packets and the
 * connections each I/O thread holds open. Pure: no I/O, no clock.
 *
 * <p>The preferred thread is the one for the incoming CPU ({@code cpu % threads}): on a real NIC
 * {@code SO_INCOMING_CPU} is the CPU whose receive queue took the connection's packets, so serving
 * it from the I/O thread that owns that CPU's connections keeps the kernel's softirq work and the
 * application's work for one connection on one CPU's caches; on loopback it is the CPU the client
 * ran on when it connected, so a client thread's connections share one I/O thread and the
 * scheduler can pair the two. A balance guard keeps the preference from piling connections on one
 * thread: the preferred thread is taken only while it holds at most {@link #slack} more connections
 * than the least-loaded thread; otherwise, and when the CPU is unknown, the least-loaded thread
 * (lowest index among equals) gets the connection.
 */
final class PlacementPolicy {
    /** The smallest imbalance the guard tolerates, whatever the number of open connections. */
    static final int MIN_SLACK = 8;

    private PlacementPolicy() {
    }

    /**
     * The index of the I/O thread for a new connection.
     *
     * @param cpu  the connection's incoming CPU, or a negative number when unknown
     * @param open connections open on each I/O thread (at least one element; not modified)
     */
    static int choose(int cpu, int[] open) {
        int least = 0;
        long total = 0;
        for (int i = 0; i < open.length; i++) {
            if (open[i] < open[least]) {
                least = i;
            }
            total += open[i];
        }
        if (cpu < 0) {
            return least;
        }
        int preferred = cpu % open.length;
        return open[preferred] <= (long) open[least] + slack(total, open.length) ? preferred : least;
    }

    /**
     * How many more connections than the least-loaded thread the preferred thread may hold and
     * still be chosen: a quarter of the mean per thread, at least {@link #MIN_SLACK}.
     */
    static long slack(long totalOpen, int threads) {
        return Math.max(MIN_SLACK, totalOpen / threads / 4);
    }
}
