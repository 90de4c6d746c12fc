package dev.cachalot.server;

import static dev.cachalot.server.ShortcutFixture.bytes;
import static dev.cachalot.server.ShortcutFixture.get;
import static dev.cachalot.server.ShortcutFixture.read;
import static dev.cachalot.server.ShortcutFixture.send;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hits whose body lies in the disk tier's chunks file ({@code store.sendfile}, on by default) are
 * sent from the file, never read through the store's mapping, so the body's pages stay out of the
 * process's RSS: on the shortcut, bodies up to {@link AnswerBuffer#FILE_READ_MAX} are read with
 * pread into the answer buffer and larger ones sent with sendfile; on the Undertow path they are
 * read with pread into a buffer of the response. The bytes are the stored ones, also when the
 * socket fills and the answer continues later.
 */
class BodyFromFileTest {
    private static final int MID = 20 * 1024;   // read into the answer buffer
    private static final int LARGE = 60 * 1024; // sendfile (one 64 KiB chunk)

    private ShortcutFixture f;

    @AfterEach
    void close() {
        if (f != null) {
            f.close();
        }
    }



    @Test
    void hitsOnBothPathsSendTheStoredBytesWithoutMappingThem(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/smaps")), "needs Linux /proc/self/smaps");
        f = ShortcutFixture.withMemoryViews(dir);
        int n = 20;
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < n; i++) {
            f.origin.put("/m" + i, bytes(MID, i));
            all.append(get("/m" + i));
        }
        f.origin.put("/l", bytes(LARGE, 99));
        all.append(get("/l"));
        Path chunks = dir.resolve("chunks.cm3").toAbsolutePath();
        long before = jdkMappingRssKib(chunks);
        for (int i = 0; i < n; i++) {
            f.fill(get("/m" + i));
        }
        f.fill(get("/l"));
        long answered = f.shortcutAnswers();
        for (ProxyServer server : new ProxyServer[] {f.on, f.off}) {
            try (Socket s = f.connect(server)) {
                send(s, all.toString() + all);
                InputStream in = s.getInputStream();
                for (int round = 0; round < 2; round++) {
                    for (int i = 0; i < n; i++) {
                        ShortcutFixture.Response r = read(in, false);
                        assertEquals("HIT", r.header("X-Cache-Status"), r.head());
                        assertArrayEquals(bytes(MID, i), r.body(), (server == f.on ? "shortcut" : "undertow") + " /m" + i + " " + r.head());
                    }
                    ShortcutFixture.Response r = read(in, false);
                    assertEquals("HIT", r.header("X-Cache-Status"), r.head());
                    assertArrayEquals(bytes(LARGE, 99), r.body());
                }
            }
        }
        assertEquals(answered + 2 * (n + 1), f.shortcutAnswers(), "the shortcut answered its listener's hits");
        long grown = jdkMappingRssKib(chunks) - before;
        // Written from the views, the 21 bodies' pages (about 480 KiB) would be resident in the JDK's mapping.
        assertTrue(grown < (n * MID + LARGE) / 1024 / 4,
                "the JDK's mapping of chunks.cm3 grew by " + grown + " KiB: hits read the bodies through it");
        assertEquals(1, f.origin.requests("/l"));
    }

    @Test
    void aSlowReaderGetsWholeBodiesSentFromTheFileAndThoseBehindThem(@TempDir Path dir) throws Exception {
        f = ShortcutFixture.diskOnly(dir);
        f.origin.put("/m", bytes(MID, 1));
        f.origin.put("/l", bytes(LARGE, 2));
        f.fill(get("/m"));
        f.fill(get("/l"));
        // 200 answers of 40 KiB on average: more than the socket buffers hold (tcp_wmem's maximum is
        // 4 MiB by default), so with nothing read yet the shortcut must stop part-way.
        int pairs = 100;
        String requests = (get("/l") + get("/m")).repeat(pairs);
        long deferred = f.deferredWrites();
        try (Socket s = smallWindow(f.on)) {
            send(s, requests);
            long deadline = System.nanoTime() + 60_000_000_000L; // a generous bound, not a timing assertion
            while (f.deferredWrites() == deferred && System.nanoTime() < deadline) {
                Thread.yield();
            }
            assertTrue(f.deferredWrites() > deferred, "an answer waited for the socket");
            readPairs(s.getInputStream(), pairs);
        }
        // The Undertow path: the same answers, read from the file into buffers of their own.
        try (Socket s = smallWindow(f.off)) {
            send(s, requests);
            readPairs(s.getInputStream(), pairs);
        }
        assertEquals(1, f.origin.requests("/l"));
        assertEquals(1, f.origin.requests("/m"));
    }

    private static void readPairs(InputStream in, int pairs) throws IOException {
        for (int i = 0; i < pairs; i++) {
            ShortcutFixture.Response l = read(in, false);
            assertEquals("HIT", l.header("X-Cache-Status"), l.head());
            assertArrayEquals(bytes(LARGE, 2), l.body(), "answer " + (2 * i));
            ShortcutFixture.Response m = read(in, false);
            assertArrayEquals(bytes(MID, 1), m.body(), "answer " + (2 * i + 1));
        }
    }

    private static Socket smallWindow(ProxyServer server) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(16 * 1024);
        s.setSoTimeout(60_000);
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.plainAddress().getPort()));
        return s;
    }

    /** Resident KiB of the read-only (JDK) mappings of {@code file} in this process. */
    static long jdkMappingRssKib(Path file) throws IOException {
        long kib = 0;
        boolean inFile = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                String[] p = line.trim().split("\\s+");
                inFile = p.length > 5 && p[5].equals(file.toString()) && p[1].startsWith("r-");
            } else if (inFile && line.startsWith("Rss:")) {
                kib += Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return kib;
    }
}
