package dev.cachalot.admin;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The process's readiness, set by Main: not ready ("starting") until the listeners are up, ready
 * while serving, not ready ("draining") once shutdown begins so load balancers stop sending traffic.
 */
public final class ReadinessState implements Supplier<Readiness> {
    private final AtomicReference<Readiness> state = new AtomicReference<>(Readiness.notReady("starting"));

    public void markReady() {
        state.set(Readiness.ok());
    }

    public void markNotReady(String reason) {
        state.set(Readiness.notReady(reason));
    }

    @Override
    public Readiness get() {
        return state.get();
    }
}
