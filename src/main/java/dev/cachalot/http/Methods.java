package dev.cachalot.http;

/** Method classes from RFC 9110 §9.2. Method names are case-sensitive. */
public final class Methods {
    private Methods() {}

    /** Safe methods (RFC 9110 §9.2.1). */
    public static boolean isSafe(String method) {
        switch (method) {
            case "GET": case "HEAD": case "OPTIONS": case "TRACE":
                return true;
            default:
                return false;
        }
    }

    /** Idempotent methods (RFC 9110 §9.2.2): the safe ones plus PUT and DELETE. */
    public static boolean isIdempotent(String method) {
        return isSafe(method) || method.equals("PUT") || method.equals("DELETE");
    }
}
