package dev.cachalot.metrics;

/** The forward metrics that record nothing. */
enum NoopForwardMetrics implements ForwardMetrics {
    INSTANCE;

    @Override
    public void requestRefused(Refusal why) {}

    @Override
    public void tunnelRefused(Refusal why) {}

    @Override
    public void tunnelOpened() {}

    @Override
    public void tunnelClosed(long bytesUp, long bytesDown) {}

    @Override
    public void ruleApplied(RuleEffect effect) {}
}
