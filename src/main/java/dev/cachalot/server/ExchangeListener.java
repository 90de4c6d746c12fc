package dev.cachalot.server;

import dev.cachalot.metrics.ExchangeRecord;

/**
 * Receives one {@link ExchangeRecord} per finished client exchange: the access-log seam. Called on
 * whatever thread completed the exchange; must not block and must not throw.
 */
@FunctionalInterface
public interface ExchangeListener {
    void exchangeCompleted(ExchangeRecord record);

    /** A listener that does nothing. */
    static ExchangeListener none() {
        return r -> { };
    }
}
