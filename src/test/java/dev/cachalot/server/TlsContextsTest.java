package dev.cachalot.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEM loading: a SEC1 "EC PRIVATE KEY" as openssl writes it, and clear errors for wrong files. */
class TlsContextsTest {
    /** Made with: openssl ecparam -name prime256v1 -genkey -noout; openssl req -x509 -subj /CN=127.0.0.1. */
    private static final String SEC1_KEY = """
-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIGqKK+wLuEwAruk2JXt3JNxIAOH6GSa0MGalw47Ip14goAoGCCqGSM49
AwEHoUQDQgAEbizdemKcthBB6j8SuO5t9d993VuDFumZb17G7JKClyvGxxUDodBB
KMrkS6uiPcxb2qdb3v52BIbWks8kyMKZVQ==
-----END EC PRIVATE KEY-----
""";
    private static final String CERT = """
-----BEGIN CERTIFICATE-----
MIIBfDCCASOgAwIBAgIULn2yfny6IefDWbKQcdC+p/RrIgswCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMB4XDTI2MTEyNTE3MzkyM1oXDTI2MTEyNjE3
MzkyM1owFDESMBAGA1UEAwwJMTI3LjAuMC4xMFkwEwYHKoZIzj0CAQYIKoZIzj0D
AQcDQgAEbizdemKcthBB6j8SuO5t9d993VuDFumZb17G7JKClyvGxxUDodBBKMrk
S6uiPcxb2qdb3v52BIbWks8kyMKZVaNTMFEwHQYDVR0OBBYEFJzF3BmZbiRG4WEX
nCeN2lUB1ssUMB8GA1UdIwQYMBaAFJzF3BmZbiRG4WEXnCeN2lUB1ssUMA8GA1Ud
EwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDRwAwRAIgE7HzjWYw44qc7Fn4WqM4m6pf
m2vPhIwfNvaJ7nUKo2wCIHkGO3NuSG6Ua/U5u7WtwGcY2TmC6KL07bwMinGIxHRY
-----END CERTIFICATE-----
""";

    @TempDir
    Path dir;

    @Test
    void loadsOpensslSec1EcKey() throws Exception {
        Path k = Files.writeString(dir.resolve("k.pem"), SEC1_KEY);
        Path c = Files.writeString(dir.resolve("c.pem"), CERT);
        assertEquals("EC", TlsContexts.readKey(k).getAlgorithm());
        assertNotNull(TlsContexts.fromPem(c, k));
    }

    @Test
    void fileWithoutKeyIsNamedInTheError() throws Exception {
        Path c = Files.writeString(dir.resolve("c.pem"), CERT);
        IOException e = assertThrows(IOException.class, () -> TlsContexts.readKey(c));
        assertTrue(e.getMessage().contains("c.pem"), e.getMessage());
        IOException e2 = assertThrows(IOException.class, () -> TlsContexts.readChain(
                Files.writeString(dir.resolve("k.pem"), SEC1_KEY)));
        assertTrue(e2.getMessage().contains("no PEM certificate"), e2.getMessage());
    }
}
