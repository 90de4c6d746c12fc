package dev.cachalot.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * Checks {@code Authorization: Bearer TOKEN} (RFC 6750 §2.1) for guarded admin endpoints. With no
 * token configured every guarded request is refused: the admin surface is never open by default.
 */
final class BearerTokenGuard {
    /** The verdict on one request. */
    enum Verdict {
        /** The presented token matches. */
        ALLOWED,
        /** No Authorization field, another scheme, or a wrong token: 401 with a challenge. */
        UNAUTHORIZED,
        /** No admin token is configured, so guarded endpoints are disabled: 403. */
        NOT_CONFIGURED
    }

    private final byte[] expectedDigest;

    /**
     * @param token the configured admin token, empty when none
     * @throws IllegalArgumentException when the token is present but blank
     */
    BearerTokenGuard(Optional<String> token) {
        if (token.isPresent() && token.get().isBlank()) {
            throw new IllegalArgumentException("admin token is blank; configure a long random token or none at all");
        }
        this.expectedDigest = token.map(BearerTokenGuard::digest).orElse(null);
    }

    boolean configured() {
        return expectedDigest != null;
    }

    Verdict check(String authorization) {
        if (expectedDigest == null) {
            return Verdict.NOT_CONFIGURED;
        }
        if (authorization == null) {
            return Verdict.UNAUTHORIZED;
        }
        String value = authorization.trim();
        // RFC 9110 §11.1: the auth-scheme is case-insensitive.
        if (value.length() < 7 || !value.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Verdict.UNAUTHORIZED;
        }
        String presented = value.substring(7).trim();
        // Compare fixed-length digests in constant time, so neither the content nor the length of the
        // configured token leaks through response timing.
        return MessageDigest.isEqual(digest(presented), expectedDigest) ? Verdict.ALLOWED : Verdict.UNAUTHORIZED;
    }

    private static byte[] digest(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JRE", e);
        }
    }
}
