package dev.cachalot.admin;

import java.util.Objects;

/**
 * Whether the proxy should receive traffic (the admin {@code /ready} answer): ready, or not ready
 * with a reason such as "starting", "draining" or "cache store unavailable".
 *
 * @param ready  true when traffic is welcome
 * @param reason why not, "" when ready
 */
public record Readiness(boolean ready, String reason) {
    private static final Readiness READY = new Readiness(true, "");

    public Readiness {
        Objects.requireNonNull(reason, "reason");
        if (!ready && reason.isBlank()) {
            throw new IllegalArgumentException("a not-ready state needs a reason");
        }
    }

    public static Readiness ok() {
        return READY;
    }

    public static Readiness notReady(String reason) {
        return new Readiness(false, reason);
    }
}
