package dev.cachalot.conformance;

import java.net.URI;

/**
 * A stand-in for Cachalot's command line ({@code --listen HOST:PORT --origin URL --admin-listen ... --cache-dir
 * ...}) backed by {@link BlindCache}, used only to check the {@link CachalotConformanceTest} harness (start, wait,
 * restart, reports) with {@code -Dtest=CachalotConformanceTest -Dcachalot.main=dev.cachalot.conformance.StandInCache}.
 */
public final class StandInCache {
    private StandInCache() {}

    public static void main(String[] args) throws Exception {
        int port = -1;
        int origin = -1;
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--listen")) {
                port = Integer.parseInt(args[i + 1].substring(args[i + 1].lastIndexOf(':') + 1));
            } else if (args[i].equals("--origin")) {
                origin = URI.create(args[i + 1]).getPort();
            }
        }
        try (BlindCache cache = new BlindCache(port, origin, true)) {
            System.out.println("stand-in cache " + cache + " on port " + port);
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
