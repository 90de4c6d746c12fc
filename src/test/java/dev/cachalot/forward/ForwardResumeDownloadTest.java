package dev.cachalot.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Resumed downloads ({@code curl -x ... -C -}) while another client is still downloading the same
 * large file through the forward listener from a slow loopback origin: the resumed requests are
 * answered from the whole-object fill in progress (one from bytes the fill already holds, one from
 * bytes ahead of it), the resumed files are byte-identical to the origin's, and the origin sees one
 * full download and no range request. Waits are latches and polls with generous deadlines; nothing
 * asserts on timing.
 */
class ForwardResumeDownloadTest extends CachingForwardFixture {
    private static final Path CURL = Path.of("/usr/bin/curl");
    private static final long KIB = 1024;
    private static final long MIB = 1024 * KIB;
    private static final long GATE = 512 * KIB;
    private static final long DEADLINE_SECONDS = 120;
    private static final ExecutorService CLIENTS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "first-client");
        t.setDaemon(true);
        return t;
    });

    private BigOrigin big;

    @BeforeAll
    static void curlPresent() {
        assumeTrue(Files.isExecutable(CURL), "curl not installed");
    }

    @AfterEach
    void stopOrigin() {
        if (big != null) {
            big.close();
        }
    }

    /** The first client: a plain GET through the proxy, hashing the body; {@code progress} counts body bytes. */
    private String download(String url, AtomicLong progress) throws IOException {
        String authority = url.replaceFirst("^http://", "").replaceFirst("/.*$", "");
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), h.port())) {
            s.setSoTimeout((int) TimeUnit.SECONDS.toMillis(DEADLINE_SECONDS));
            OutputStream out = s.getOutputStream();
            out.write(("GET " + url + " HTTP/1.1\r\nHost: " + authority + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            int state = 0;
            StringBuilder head = new StringBuilder();
            while (state < 4) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("closed in the head: " + head);
                }
                head.append((char) b);
                state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                        ? state + 1 : 0;
            }
            if (!head.toString().startsWith("HTTP/1.1 200")) {
                throw new IOException("not a 200: " + head);
            }
            MessageDigest md = BigOrigin.digest();
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) >= 0) {
                md.update(buf, 0, n);
                progress.addAndGet(n);
            }
            return HexFormat.of().formatHex(md.digest());
        }
    }

    /** Writes the first {@code length} bytes of the object, as an interrupted earlier download left them. */
    private static Path partialFile(Path file, long length) throws IOException {
        byte[] b = new byte[(int) length];
        BigOrigin.fill(b, 0, b.length);
        Files.write(file, b);
        return file;
    }

    /** Starts {@code curl -x PROXY -C - -o FILE URL} (resume from the file's size); returns the process. */
    private Process resume(Path file, String url, Path log) throws IOException {
        ProcessBuilder pb = withoutProxyEnvironment(new ProcessBuilder(CURL.toString(), "-q", "-sS", "--max-time",
                Long.toString(DEADLINE_SECONDS), "-x", "http://127.0.0.1:" + h.port(), "-C", "-", "-o",
                file.toString(), "-w", "%{http_code}", url), k -> false);
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        return pb.start();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "timed out waiting for: " + what);
            Thread.sleep(20);
        }
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest md = BigOrigin.digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) >= 0) {
                md.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    @Test
    void curlResumesFromTheFillInProgressWithoutASecondOriginFetch() throws Exception {
        open("cache", 1024 * MIB, 512 * MIB, 10_000);
        big = new BigOrigin();
        startCaching(ForwardConfig.defaults().withAllowDestinations(List.of(Cidr.parse("127.0.0.1/32"))));
        long size = 24 * MIB;
        BigOrigin.Item item = big.add("/pool/big.iso", size, GATE);
        String url = "http://127.0.0.1:" + big.port() + "/pool/big.iso";

        // The first client starts the whole-object fill; the origin holds it after GATE bytes.
        AtomicLong progress = new AtomicLong();
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
            try {
                return download(url, progress);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, CLIENTS);
        // Every byte the first client has passed through the fill first: the fill holds exactly GATE bytes.
        await("the first client at the origin's gate", () -> progress.get() == GATE);

        // Two interrupted downloads resume: one inside the bytes the fill already has, one 1 MiB ahead of it.
        Path behind = partialFile(dir.resolve("behind.iso"), 256 * KIB);
        Path ahead = partialFile(dir.resolve("ahead.iso"), GATE + MIB);
        Path behindLog = dir.resolve("behind.log");
        Path aheadLog = dir.resolve("ahead.log");
        Process p1 = resume(behind, url, behindLog);
        Process p2 = resume(ahead, url, aheadLog);
        await("both resumed requests at the proxy",
                () -> pipeline.stats().rangesFromFill() + pipeline.stats().rangesBesideFill() + item.ranges.get() >= 2);
        assertEquals(2, pipeline.stats().rangesFromFill(), "both resumed requests joined the fill");
        assertEquals(0, item.ranges.get(), "no range request reached the origin");

        item.open();
        assertTrue(p1.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS), "the first curl finished");
        assertTrue(p2.waitFor(DEADLINE_SECONDS, TimeUnit.SECONDS), "the second curl finished");
        assertEquals(0, p1.exitValue(), Files.readString(behindLog));
        assertEquals(0, p2.exitValue(), Files.readString(aheadLog));
        assertEquals("206", Files.readString(behindLog).trim());
        assertEquals("206", Files.readString(aheadLog).trim());
        String whole = BigOrigin.sha256(0, size);
        assertEquals(whole, first.get(DEADLINE_SECONDS, TimeUnit.SECONDS));
        assertEquals(size, Files.size(behind));
        assertEquals(size, Files.size(ahead));
        assertEquals(whole, sha256(behind), "the file resumed from held bytes is byte-identical");
        assertEquals(whole, sha256(ahead), "the file resumed ahead of the fill is byte-identical");
        assertEquals(1, item.full.get(), "one full download at the origin");
        assertEquals(0, item.ranges.get(), "and no range request");
    }
}
