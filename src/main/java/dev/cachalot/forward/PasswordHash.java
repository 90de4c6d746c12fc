package dev.cachalot.forward;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * A salted PBKDF2-HMAC-SHA256 password hash (RFC 8018 §5.2) in the credentials-file format
 * {@code pbkdf2-sha256:ITERATIONS:SALT_B64:HASH_B64} (standard Base64 with padding). Verification
 * compares in constant time.
 */
public record PasswordHash(int iterations, byte[] salt, byte[] hash) {
    /** The scheme word in the stored format. */
    public static final String SCHEME = "pbkdf2-sha256";
    /** Iterations for new hashes (OWASP 2023 guidance for PBKDF2-HMAC-SHA256). */
    public static final int DEFAULT_ITERATIONS = 600_000;
    private static final int MIN_ITERATIONS = 1_000;

    public PasswordHash {
        salt = salt.clone();
        hash = hash.clone();
    }

    /** Hashes {@code password} with a fresh 16-byte salt. */
    public static PasswordHash create(char[] password, int iterations) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return new PasswordHash(iterations, salt, derive(password, salt, iterations, 32));
    }

    /**
     * Parses the stored form.
     *
     * @throws IllegalArgumentException naming the rule broken (never echoing the hash)
     */
    public static PasswordHash parse(String stored) {
        String[] p = stored.split(":", -1);
        if (p.length != 4 || !p[0].equals(SCHEME)) {
            throw new IllegalArgumentException("password hash is not " + SCHEME + ":ITERATIONS:SALT:HASH");
        }
        int it;
        try {
            it = Integer.parseInt(p[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("password hash iterations is not a number");
        }
        if (it < MIN_ITERATIONS) {
            throw new IllegalArgumentException("password hash iterations below " + MIN_ITERATIONS);
        }
        try {
            byte[] salt = Base64.getDecoder().decode(p[2]);
            byte[] hash = Base64.getDecoder().decode(p[3]);
            if (salt.length < 8 || hash.length < 16) {
                throw new IllegalArgumentException("password hash salt or hash too short");
            }
            return new PasswordHash(it, salt, hash);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("password hash")) {
                throw e;
            }
            throw new IllegalArgumentException("password hash salt or hash is not Base64");
        }
    }

    /** True when {@code password} matches; constant time in the hash comparison. */
    public boolean matches(char[] password) {
        byte[] candidate = derive(password, salt, iterations, hash.length);
        return MessageDigest.isEqual(candidate, hash);
    }

    /** The stored form. */
    public String format() {
        Base64.Encoder b = Base64.getEncoder();
        return SCHEME + ":" + iterations + ":" + b.encodeToString(salt) + ":" + b.encodeToString(hash);
    }

    static byte[] derive(char[] password, byte[] salt, int iterations, int length) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, length * 8);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 unavailable", e);
        } finally {
            spec.clearPassword();
        }
    }

    @Override
    public String toString() {
        return SCHEME + ":" + iterations + ":<salt>:<hash>";
    }
}
