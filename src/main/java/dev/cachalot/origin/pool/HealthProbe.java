package dev.cachalot.origin.pool;

import dev.cachalot.config.OriginPoolConfig;
import dev.cachalot.origin.OriginTarget;

/** Runs one active health check against one server. */
public interface HealthProbe extends AutoCloseable {
    /**
     * The verdict of one check.
     *
     * @param passed true when the server answered with an expected status in time
     * @param detail the status received (e.g. {@code 200}) or what failed (e.g. {@code origin refused the connection})
     */
    record Outcome(boolean passed, String detail) {
    }

    /** Checks {@code server} as {@code check} says; never throws (a failure is a failed outcome). */
    Outcome probe(OriginTarget server, OriginPoolConfig.HealthCheck check);

    @Override
    default void close() {
    }
}
