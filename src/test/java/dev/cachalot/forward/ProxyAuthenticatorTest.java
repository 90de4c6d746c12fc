package dev.cachalot.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProxyAuthenticatorTest {
    @TempDir
    Path dir;

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void hashRoundTripAndFormat() {
        PasswordHash h = PasswordHash.create("s3cret".toCharArray(), 1000);
        String f = h.format();
        assertTrue(f.startsWith("pbkdf2-sha256:1000:"));
        PasswordHash back = PasswordHash.parse(f);
        assertTrue(back.matches("s3cret".toCharArray()));
        assertFalse(back.matches("s3cres".toCharArray()));
        assertFalse(h.toString().contains(f.substring(f.lastIndexOf(':') + 1)), "toString never shows the hash");
    }

    @Test
    void checksBasicCredentials() {
        ProxyAuthenticator a = new ProxyAuthenticator(Map.of("alice", PasswordHash.create("pw".toCharArray(), 1000)));
        assertEquals(ProxyAuthenticator.Outcome.OK, a.check(basic("alice", "pw")).outcome());
        assertEquals("alice", a.check("basic   " + basic("alice", "pw").substring(6)).user());
        assertEquals(ProxyAuthenticator.Outcome.BAD_CREDENTIALS, a.check(basic("alice", "PW")).outcome());
        assertEquals(ProxyAuthenticator.Outcome.BAD_CREDENTIALS, a.check(basic("bob", "pw")).outcome());
        assertEquals(ProxyAuthenticator.Outcome.MISSING, a.check(null).outcome());
        assertEquals(ProxyAuthenticator.Outcome.MALFORMED, a.check("Bearer abc").outcome());
        assertEquals(ProxyAuthenticator.Outcome.MALFORMED, a.check("Basic !!!").outcome());
        assertEquals(ProxyAuthenticator.Outcome.MALFORMED,
                a.check("Basic " + Base64.getEncoder().encodeToString("nocolon".getBytes(StandardCharsets.UTF_8)))
                        .outcome());
        // A remembered success never makes a different password pass.
        assertEquals(ProxyAuthenticator.Outcome.BAD_CREDENTIALS, a.check(basic("alice", "pw2")).outcome());
    }

    @Test
    void loadsFileAndNamesBadLines() throws Exception {
        Path f = dir.resolve("users");
        String line = "alice:" + PasswordHash.create("pw".toCharArray(), 1000).format();
        Files.writeString(f, "# proxy users\n\n" + line + "\n");
        assertEquals(ProxyAuthenticator.Outcome.OK, ProxyAuthenticator.load(f).check(basic("alice", "pw")).outcome());
        Files.writeString(f, line + "\nbob:plain-password\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProxyAuthenticator.load(f));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertFalse(e.getMessage().contains("plain-password"), "never echoes the secret");
        Files.writeString(f, line + "\n" + line + "\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ProxyAuthenticator.load(f)).getMessage()
                .contains("twice"));
        Files.writeString(f, "# nobody\n");
        assertThrows(IllegalArgumentException.class, () -> ProxyAuthenticator.load(f));
        Files.writeString(f, "carol:pbkdf2-sha256:10:AAAAAAAAAAA=:AAAAAAAAAAAAAAAAAAAAAA==\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ProxyAuthenticator.load(f)).getMessage()
                .contains("iterations below"));
    }

    @Test
    void hashPasswordCliPrintsAUsableLine() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = HashPassword.run(new String[] {"dave", "1000"}, null, new BufferedReader(new StringReader("hunter2\n")),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        Path f = dir.resolve("users");
        Files.writeString(f, out.toString(StandardCharsets.UTF_8));
        assertEquals(ProxyAuthenticator.Outcome.OK, ProxyAuthenticator.load(f).check(basic("dave", "hunter2")).outcome());
        assertEquals(2, HashPassword.run(new String[] {"a:b"}, null, new BufferedReader(new StringReader("x\n")),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertEquals(2, HashPassword.run(new String[] {"a", "5"}, null, new BufferedReader(new StringReader("x\n")),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
    }
}
