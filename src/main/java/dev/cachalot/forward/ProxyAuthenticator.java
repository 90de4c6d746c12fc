package dev.cachalot.forward;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Proxy authentication with the Basic scheme (RFC 7617) carried in {@code Proxy-Authorization}
 * (RFC 9110 §11.7.2), checked against a credentials file of salted password hashes. File format,
 * one user per line, {@code #} comments and blank lines ignored:
 * <pre>USER:pbkdf2-sha256:ITERATIONS:SALT_B64:HASH_B64</pre>
 * ({@link HashPassword} prints such lines). PBKDF2 is deliberately slow, so a successful check is
 * remembered by a SHA-256 digest of the credentials (never the password itself) for the life of
 * this object; failures are never remembered. An unknown user costs the same PBKDF2 work as a
 * wrong password, so timing does not reveal which users exist.
 */
public final class ProxyAuthenticator {
    /** The outcome of checking one request. */
    public enum Outcome {
        /** Credentials valid. */
        OK,
        /** No Proxy-Authorization field. */
        MISSING,
        /** Not Basic, or not valid Base64 user:password. */
        MALFORMED,
        /** Unknown user or wrong password (not distinguished towards the client). */
        BAD_CREDENTIALS
    }

    /** A check result; {@code user} is known only for OK (and for logging a bad password's user). */
    public record Result(Outcome outcome, String user) {
    }

    private static final int MAX_REMEMBERED = 10_000;

    private final Map<String, PasswordHash> users;
    private final PasswordHash dummy;
    private final Map<String, String> remembered = new ConcurrentHashMap<>();

    public ProxyAuthenticator(Map<String, PasswordHash> users) {
        this.users = Map.copyOf(users);
        int it = users.values().stream().mapToInt(PasswordHash::iterations).max().orElse(1000);
        this.dummy = PasswordHash.create("not-a-password".toCharArray(), it);
    }

    /**
     * Loads a credentials file.
     *
     * @throws IllegalArgumentException naming the file, the line number and the rule (never the secret)
     */
    public static ProxyAuthenticator load(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Map<String, PasswordHash> users = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": expected USER:" + PasswordHash.SCHEME
                        + ":ITERATIONS:SALT:HASH");
            }
            String user = line.substring(0, colon);
            try {
                PasswordHash h = PasswordHash.parse(line.substring(colon + 1));
                if (users.put(user, h) != null) {
                    throw new IllegalArgumentException("user '" + user + "' appears twice");
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        if (users.isEmpty()) {
            throw new IllegalArgumentException(file + ": no users (an empty credentials file would lock everyone out)");
        }
        return new ProxyAuthenticator(users);
    }

    /**
     * The answer without password hashing: OK for credentials that passed before, MISSING or
     * MALFORMED when the field says so, null when only a full {@link #check} can decide.
     */
    public Result checkRemembered(String proxyAuthorization) {
        Result quick = parseOnly(proxyAuthorization);
        if (quick != null) {
            return quick;
        }
        byte[] decoded = decode(proxyAuthorization);
        String known = remembered.get(digest(decoded));
        return known == null ? null : new Result(Outcome.OK, known);
    }

    private static Result parseOnly(String proxyAuthorization) {
        if (proxyAuthorization == null) {
            return new Result(Outcome.MISSING, "");
        }
        byte[] decoded = decode(proxyAuthorization);
        if (decoded == null || new String(decoded, StandardCharsets.UTF_8).indexOf(':') < 0) {
            return new Result(Outcome.MALFORMED, "");
        }
        return null;
    }

    /** The Base64-decoded credentials of a Basic field, or null when it is not one. */
    private static byte[] decode(String proxyAuthorization) {
        String v = proxyAuthorization.strip();
        int sp = v.indexOf(' ');
        // RFC 9110 §11.1: the auth-scheme is case-insensitive.
        if (sp < 0 || !v.substring(0, sp).equalsIgnoreCase("Basic")) {
            return null;
        }
        try {
            return Base64.getDecoder().decode(v.substring(sp + 1).strip());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Checks the value of the request's Proxy-Authorization field (null when absent). */
    public Result check(String proxyAuthorization) {
        Result quick = parseOnly(proxyAuthorization);
        if (quick != null) {
            return quick;
        }
        byte[] decoded = decode(proxyAuthorization);
        String pair = new String(decoded, StandardCharsets.UTF_8);
        int colon = pair.indexOf(':');
        if (colon < 0) {
            return new Result(Outcome.MALFORMED, "");
        }
        String user = pair.substring(0, colon);
        String digest = digest(decoded);
        String known = remembered.get(digest);
        if (known != null) {
            return new Result(Outcome.OK, known);
        }
        char[] password = pair.substring(colon + 1).toCharArray();
        PasswordHash h = users.get(user);
        boolean ok = (h != null ? h : dummy).matches(password) && h != null;
        java.util.Arrays.fill(password, '\0');
        if (!ok) {
            return new Result(Outcome.BAD_CREDENTIALS, user);
        }
        if (remembered.size() >= MAX_REMEMBERED) {
            remembered.clear();
        }
        remembered.put(digest, user);
        return new Result(Outcome.OK, user);
    }

    private static String digest(byte[] credentials) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(credentials));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
