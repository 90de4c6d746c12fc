package dev.cachalot.conformance.dsl;

/** Thrown by an expectation that does not hold; its message is the failure reason shown in reports. */
public final class CheckFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CheckFailed(String message) {
        super(message, null, false, false);
    }
}
