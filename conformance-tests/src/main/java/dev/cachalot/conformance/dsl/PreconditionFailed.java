package dev.cachalot.conformance.dsl;

/** Thrown when a test cannot judge its requirement because an earlier step did not set the stage. */
public final class PreconditionFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PreconditionFailed(String message) {
        super(message, null, false, false);
    }
}
