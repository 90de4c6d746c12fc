package dev.cachalot.reload;

import dev.cachalot.metrics.ExchangeRecord;
import dev.cachalot.metrics.ProxyMetrics;

/**
 * A {@link ProxyMetrics} whose target can be swapped while running: how the access log follows a
 * reload (on/off, format) without rebuilding the listeners that hold the metrics. Each event reads
 * the target once (one volatile read).
 */
public final class SwitchableMetrics implements ProxyMetrics {
    private volatile ProxyMetrics target;

    public SwitchableMetrics(ProxyMetrics initial) {
        this.target = initial;
    }

    /** Sends every later event to {@code next}. */
    public void switchTo(ProxyMetrics next) {
        this.target = next;
    }

    @Override
    public void exchangeCompleted(ExchangeRecord record) {
        target.exchangeCompleted(record);
    }

    @Override
    public void originExchange(String route, int status, long nanos) {
        target.originExchange(route, status, nanos);
    }

    @Override
    public void rejected(String reason) {
        target.rejected(reason);
    }

    @Override
    public void connectionOpened() {
        target.connectionOpened();
    }

    @Override
    public void connectionClosed() {
        target.connectionClosed();
    }
}
