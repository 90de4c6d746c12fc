package dev.cachalot.purge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The persisted ban file: round trip, retirement rewrite, and damage reported and ignored. */
class BanLogTest {
    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00.123456789Z");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(T0);

    @Test
    void bansSurviveReopeningAndRetiredOnesDoNot() {
        BanList bans = BanList.open(dir, clock);
        Ban a = bans.add(BanKind.TAG, "product 42 ünïcode", PurgeMode.HARD);
        clock.advance(java.time.Duration.ofSeconds(1));
        Ban b = bans.add(BanKind.PREFIX, "https://h/img/", PurgeMode.SOFT);
        Ban c = bans.add(BanKind.HOST, "h", PurgeMode.HARD);
        assertEquals(List.of(a, b, c), BanList.open(dir, clock).index().bans());

        assertEquals(List.of(a), bans.retire(List.of(a)));
        BanList reopened = BanList.open(dir, clock);
        assertEquals(List.of(b, c), reopened.index().bans());
        assertEquals(0, reopened.corruptLines());
        Ban d = reopened.add(BanKind.TAG, "t", PurgeMode.HARD);
        assertTrue(d.id() > c.id(), "ids keep growing after a restart");
    }

    @Test
    void aBanIsNotRetiredWhileAFetchThatStartedBeforeItIsOpen() {
        BanList bans = BanList.open(dir, clock);
        var ticket = bans.fillStarting();
        clock.advance(java.time.Duration.ofSeconds(1));
        Ban a = bans.add(BanKind.TAG, "t", PurgeMode.HARD);
        assertEquals(List.of(), bans.retire(List.of(a)));
        assertEquals(1, bans.active());
        ticket.close();
        ticket.close(); // idempotent
        assertEquals(List.of(a), bans.retire(List.of(a)));
        assertEquals(0, bans.active());
    }

    @Test
    void aDamagedLineIsReportedAndIgnoredAndTheFileIsKeptAside() throws Exception {
        BanList bans = BanList.open(dir, clock);
        Ban a = bans.add(BanKind.TAG, "a", PurgeMode.HARD);
        Ban b = bans.add(BanKind.TAG, "b", PurgeMode.HARD);
        Path file = dir.resolve(BanLog.FILE_NAME);
        List<String> lines = Files.readAllLines(file);
        // Change the first ban's mode without its checksum.
        String damaged = lines.get(1).replaceFirst(" hard ", " soft ");
        Files.write(file, List.of(lines.get(0), damaged, lines.get(2)));

        BanList reopened = BanList.open(dir, clock);
        assertEquals(List.of(b), reopened.index().bans());
        assertEquals(1, reopened.corruptLines());
        try (Stream<Path> s = Files.list(dir)) {
            assertTrue(s.anyMatch(p -> p.getFileName().toString().startsWith(BanLog.FILE_NAME + ".corrupt-")));
        }
        assertEquals(List.of(b), BanList.open(dir, clock).index().bans(), "a clean file was written");
        assertEquals(0, BanList.open(dir, clock).corruptLines());
        assertFalse(a.equals(b));
    }

    @Test
    void aTornLastLineFromACrashIsIgnored() throws Exception {
        BanList bans = BanList.open(dir, clock);
        Ban a = bans.add(BanKind.HOST, "h", PurgeMode.HARD);
        Files.write(dir.resolve(BanLog.FILE_NAME), "ban 2 tag hard 17".getBytes(StandardCharsets.ISO_8859_1),
                StandardOpenOption.APPEND);
        BanList reopened = BanList.open(dir, clock);
        assertEquals(List.of(a), reopened.index().bans());
        assertEquals(1, reopened.corruptLines());
    }

    @Test
    void aFileThatIsNotABanFileIsMovedAsideAndTheListStartsEmpty() throws Exception {
        Files.write(dir.resolve(BanLog.FILE_NAME), new byte[] {0, 1, 2, (byte) 0xff, '\n', 'x'});
        BanList bans = BanList.open(dir, clock);
        assertEquals(0, bans.active());
        assertEquals(1, bans.corruptLines());
        Ban a = bans.add(BanKind.TAG, "t", PurgeMode.SOFT);
        assertEquals(List.of(a), BanList.open(dir, clock).index().bans());
    }

    @Test
    void decodeRefusesEveryKindOfDamage() {
        Ban b = new Ban(7, BanKind.TAG, "x", PurgeMode.SOFT, T0);
        String line = BanLog.encode(b);
        assertEquals(b, BanLog.decode(line));
        assertNull(BanLog.decode(line.substring(0, line.length() - 1)));
        assertNull(BanLog.decode(""));
        assertNull(BanLog.decode("ban"));
        assertNull(BanLog.decode(line.replace("ban 7", "ban x")));
    }
}
