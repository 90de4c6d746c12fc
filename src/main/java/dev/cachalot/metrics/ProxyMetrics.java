package dev.cachalot.metrics;

/**
 * The proxy's metrics, as domain events. Implementations never throw; the Dropwizard-backed one is
 * the only class that knows the metrics library. Every metric name is catalogued in the
 * implementation and in docs/operations.md.
 */
public interface ProxyMetrics {
    /** One client exchange finished (success or not). */
    void exchangeCompleted(ExchangeRecord record);

    /** One origin exchange finished: status 0 when it failed before a response; nanos to response head. */
    void originExchange(String route, int status, long nanos);

    /** A request was refused before reaching the pipeline; reason e.g. "overload", "framing", "too-large". */
    void rejected(String reason);

    /** A client connection was opened. */
    void connectionOpened();

    /** A client connection was closed. */
    void connectionClosed();

    /** A metrics sink that records nothing. */
    static ProxyMetrics noop() {
        return NoopMetrics.INSTANCE;
    }
}
