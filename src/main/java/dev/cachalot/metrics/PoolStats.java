package dev.cachalot.metrics;

/**
 * A snapshot of a connection pool, as the origin client reports it (no HTTP client types here).
 *
 * @param leased    connections in use
 * @param available idle connections kept alive
 * @param pending   requests waiting for a connection
 * @param max       the pool's limit
 */
public record PoolStats(int leased, int available, int pending, int max) {
}
