package dev.cachalot.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cachalot.Cachalot;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Date;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS termination from PEM files, HTTP/2 over TLS (ALPN) and HTTP/1.1 over TLS, to a plain origin. */
class TlsHttp2Test {
    @TempDir
    Path dir;
    private TestOrigin origin;
    private Cachalot proxy;

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (origin != null) {
            origin.close();
        }
    }

    /** A self-signed certificate for 127.0.0.1 written as PEM; the key in the given form. */
    private X509Certificate selfSigned(String algorithm, boolean pkcs8) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
        if (algorithm.equals("EC")) {
            g.initialize(new ECGenParameterSpec("secp256r1"));
        } else {
            g.initialize(2048);
        }
        KeyPair kp = g.generateKeyPair();
        X500Name name = new X500Name("CN=127.0.0.1");
        long now = System.currentTimeMillis();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now), new Date(now - 60_000),
                new Date(now + 86_400_000L), name, kp.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false,
                new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
        X509Certificate cert = new JcaX509CertificateConverter().getCertificate(b.build(
                new JcaContentSignerBuilder(algorithm.equals("EC") ? "SHA256withECDSA" : "SHA256withRSA")
                        .build(kp.getPrivate())));
        StringWriter c = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(c)) {
            w.writeObject(cert);
        }
        Files.writeString(dir.resolve("cert.pem"), c.toString());
        StringWriter k = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(k)) {
            // PKCS#8 "PRIVATE KEY", or the traditional PKCS#1 "RSA PRIVATE KEY" / SEC1 "EC PRIVATE KEY".
            w.writeObject(pkcs8 ? new JcaPKCS8Generator(kp.getPrivate(), null) : new JcaMiscPEMGenerator(kp.getPrivate()));
        }
        Files.writeString(dir.resolve("key.pem"), k.toString());
        return cert;
    }

    private HttpClient client(X509Certificate cert, HttpClient.Version version) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("proxy", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return HttpClient.newBuilder().sslContext(ctx).version(version).build();
    }

    private void startProxy() throws Exception {
        origin = TestOrigin.fixed("over tls");
        proxy = TestProxy.start(origin.url(), "  tls:\n    enabled: true\n    listen: 127.0.0.1:0\n"
                + "    certificate: " + dir.resolve("cert.pem") + "\n    privateKey: " + dir.resolve("key.pem") + "\n");
    }

    @Test
    void http2OverTlsWithPkcs8RsaKey() throws Exception {
        X509Certificate cert = selfSigned("RSA", true);
        startProxy();
        HttpResponse<String> r = client(cert, HttpClient.Version.HTTP_2).send(HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + proxy.tlsPort() + "/h2?x=1")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals(HttpClient.Version.HTTP_2, r.version());
        assertEquals("over tls", r.body());
        TestOrigin.Request seen = origin.last();
        assertEquals("/h2?x=1", seen.target());
        assertEquals("https", seen.header("X-Forwarded-Proto"));
        assertEquals("2 cachalot", seen.header("Via"));
    }

    @Test
    void http2PostOverTlsWithPkcs8EcKey() throws Exception {
        X509Certificate cert = selfSigned("EC", true);
        startProxy();
        origin.handler((req, out, s) -> TestOrigin.respond(out, 200, req.body()));
        HttpResponse<String> r = client(cert, HttpClient.Version.HTTP_2).send(HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + proxy.tlsPort() + "/echo"))
                .POST(HttpRequest.BodyPublishers.ofString("posted over h2")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(HttpClient.Version.HTTP_2, r.version());
        assertEquals("posted over h2", r.body());
    }

    @Test
    void http11OverTlsWithPkcs1RsaKey() throws Exception {
        X509Certificate cert = selfSigned("RSA", false);
        startProxy();
        HttpResponse<String> r = client(cert, HttpClient.Version.HTTP_1_1).send(HttpRequest.newBuilder(
                URI.create("https://127.0.0.1:" + proxy.tlsPort() + "/one")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(HttpClient.Version.HTTP_1_1, r.version());
        assertEquals("over tls", r.body());
        assertEquals("1.1 cachalot", origin.last().header("Via"));
    }
}
