package dev.cachalot.forward;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Command line tool that prints one credentials-file line for {@link ProxyAuthenticator}:
 * {@code java -cp cachalot.jar dev.cachalot.forward.HashPassword USER [ITERATIONS]}. The password
 * is read from the console without echo, or as the first line of standard input when there is no
 * console (scripts).
 */
public final class HashPassword {
    private HashPassword() {
    }

    public static void main(String[] args) throws IOException {
        System.exit(run(args, System.console(), new BufferedReader(new InputStreamReader(System.in,
                StandardCharsets.UTF_8)), System.out, System.err));
    }

    static int run(String[] args, Console console, BufferedReader in, PrintStream out, PrintStream err)
            throws IOException {
        if (args.length < 1 || args.length > 2) {
            err.println("usage: HashPassword USER [ITERATIONS]   (password from the console or stdin)");
            return 2;
        }
        String user = args[0];
        // RFC 7617 §2: the user-id cannot contain a colon.
        if (user.isEmpty() || user.indexOf(':') >= 0 || user.chars().anyMatch(c -> c < 0x21 || c == 0x7F)) {
            err.println("user must be non-empty, without ':' , spaces or control characters");
            return 2;
        }
        int iterations = PasswordHash.DEFAULT_ITERATIONS;
        if (args.length == 2) {
            try {
                iterations = Integer.parseInt(args[1]);
            } catch (NumberFormatException e) {
                iterations = -1;
            }
            if (iterations < 1000) {
                err.println("ITERATIONS must be a number of at least 1000");
                return 2;
            }
        }
        char[] password;
        if (console != null) {
            password = console.readPassword("password for %s: ", user);
        } else {
            String line = in.readLine();
            password = line == null ? null : line.toCharArray();
        }
        if (password == null || password.length == 0) {
            err.println("empty password");
            return 2;
        }
        out.println(user + ":" + PasswordHash.create(password, iterations).format());
        java.util.Arrays.fill(password, '\0');
        return 0;
    }
}
