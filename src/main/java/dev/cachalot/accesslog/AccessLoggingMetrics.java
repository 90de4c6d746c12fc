package dev.cachalot.accesslog;

import dev.cachalot.metrics.ExchangeRecord;
import dev.cachalot.metrics.ProxyMetrics;

/** Feeds every completed exchange to the access log, then forwards all events to the metrics. */
final class AccessLoggingMetrics implements ProxyMetrics {
    private final AccessLog log;
    private final ProxyMetrics next;

    AccessLoggingMetrics(AccessLog log, ProxyMetrics next) {
        this.log = log;
        this.next = next;
    }

    @Override
    public void exchangeCompleted(ExchangeRecord record) {
        log.log(record);
        next.exchangeCompleted(record);
    }

    @Override
    public void originExchange(String route, int status, long nanos) {
        next.originExchange(route, status, nanos);
    }

    @Override
    public void rejected(String reason) {
        next.rejected(reason);
    }

    @Override
    public void connectionOpened() {
        next.connectionOpened();
    }

    @Override
    public void connectionClosed() {
        next.connectionClosed();
    }
}
