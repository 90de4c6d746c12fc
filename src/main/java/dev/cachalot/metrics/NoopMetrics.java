package dev.cachalot.metrics;

/** The metrics sink that records nothing: for tests and for embedding without metrics. */
enum NoopMetrics implements ProxyMetrics {
    INSTANCE;

    @Override
    public void exchangeCompleted(ExchangeRecord record) {}

    @Override
    public void originExchange(String route, int status, long nanos) {}

    @Override
    public void rejected(String reason) {}

    @Override
    public void connectionOpened() {}

    @Override
    public void connectionClosed() {}
}
