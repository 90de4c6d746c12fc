package dev.cachalot.purge;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persisted ban list: {@value #FILE_NAME} in the cache directory, a text file of one header
 * line and one line per active ban, each line protected by a CRC32C:
 *
 * <pre>
 * cachalot-bans 1
 * ban ID KIND MODE EPOCH_SECOND NANO BASE64URL(VALUE) CRC32C_HEX
 * </pre>
 *
 * A new ban is appended and forced to disk before the purge is acknowledged; retiring bans
 * rewrites the file (a temporary file, forced, then an atomic rename), so a crash leaves either
 * the old or the new list, plus at most one torn last line. Damage is reported and ignored, never
 * a crash: a line that fails its check is skipped (counted, logged); a file without the header is
 * moved aside as {@code bans.log.corrupt-MILLIS} and the list starts empty. Either way the damaged
 * file is kept for inspection and a clean one written.
 */
final class BanLog {
    /** The file name in the cache directory. */
    static final String FILE_NAME = "bans.log";
    static final String HEADER = "cachalot-bans 1";

    private static final Logger LOG = LoggerFactory.getLogger(BanLog.class);

    private final Path file;

    /** What {@link #load} found. */
    record Loaded(List<Ban> bans, int corruptLines, boolean movedAside) {}

    BanLog(Path directory) {
        this.file = directory.resolve(FILE_NAME);
    }

    Path file() {
        return file;
    }

    /** Reads the file (missing: empty), reporting and skipping damage as described above. */
    Loaded load() {
        if (!Files.exists(file)) {
            return new Loaded(List.of(), 0, false);
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            LOG.error("ban file {} cannot be read ({}); moving it aside and starting with no bans:"
                    + " purges by tag, prefix or host made before this start no longer apply", file, e.toString());
            return new Loaded(List.of(), 1, moveAside(List.of()));
        }
        if (lines.isEmpty() || !lines.get(0).equals(HEADER)) {
            LOG.error("ban file {} does not start with '{}'; moving it aside and starting with no bans:"
                    + " purges by tag, prefix or host made before this start no longer apply", file, HEADER);
            return new Loaded(List.of(), 1, moveAside(List.of()));
        }
        List<Ban> bans = new ArrayList<>();
        int bad = 0;
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty()) {
                continue;
            }
            Ban b = decode(line);
            if (b == null) {
                bad++;
                LOG.error("ban file {} line {} is damaged and ignored: {}", file, i + 1,
                        line.length() > 200 ? line.substring(0, 200) + "..." : line);
            } else {
                bans.add(b);
            }
        }
        boolean moved = false;
        if (bad > 0) {
            moved = moveAside(bans);
        }
        return new Loaded(bans, bad, moved);
    }

    /** Keeps the damaged file for inspection and writes a clean one with {@code keep}. */
    private boolean moveAside(List<Ban> keep) {
        Path aside = file.resolveSibling(FILE_NAME + ".corrupt-" + System.currentTimeMillis());
        try {
            Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
            LOG.error("damaged ban file kept as {}", aside);
            rewrite(keep);
            return true;
        } catch (IOException e) {
            LOG.error("could not move the damaged ban file {} aside: {}", file, e.toString());
            return false;
        }
    }

    /** Appends one ban and forces it to disk (the file is created with its header if missing). */
    void append(Ban ban) throws IOException {
        boolean fresh = !Files.exists(file);
        String text = (fresh ? HEADER + "\n" : "") + encode(ban) + "\n";
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
    }

    /** Replaces the file with exactly {@code bans}: a forced temporary file, then an atomic rename. */
    void rewrite(List<Ban> bans) throws IOException {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (Ban b : bans) {
            sb.append(encode(b)).append('\n');
        }
        Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** One ban as a line (without the newline). */
    static String encode(Ban b) {
        String body = "ban " + b.id() + " " + b.kind().word() + " " + b.mode().name().toLowerCase(Locale.ROOT) + " "
                + b.time().getEpochSecond() + " " + b.time().getNano() + " "
                + Base64.getUrlEncoder().withoutPadding().encodeToString(b.value().getBytes(StandardCharsets.UTF_8));
        return body + " " + crc(body);
    }

    /** The ban in {@code line}, or null when the line is damaged in any way. */
    static Ban decode(String line) {
        int last = line.lastIndexOf(' ');
        if (last < 0 || !line.substring(last + 1).equals(crc(line.substring(0, last)))) {
            return null;
        }
        String[] p = line.substring(0, last).split(" ", -1);
        if (p.length != 7 || !p[0].equals("ban")) {
            return null;
        }
        try {
            long id = Long.parseLong(p[1]);
            BanKind kind = BanKind.ofWord(p[2]);
            PurgeMode mode = p[3].equals("hard") ? PurgeMode.HARD : p[3].equals("soft") ? PurgeMode.SOFT : null;
            Instant time = Instant.ofEpochSecond(Long.parseLong(p[4]), Long.parseLong(p[5]));
            String value = new String(Base64.getUrlDecoder().decode(p[6]), StandardCharsets.UTF_8);
            if (kind == null || mode == null || value.isEmpty()) {
                return null;
            }
            return new Ban(id, kind, value, mode, time);
        } catch (IllegalArgumentException | java.time.DateTimeException e) {
            return null;
        }
    }

    private static String crc(String s) {
        CRC32C c = new CRC32C();
        c.update(s.getBytes(StandardCharsets.ISO_8859_1));
        return String.format(Locale.ROOT, "%08x", c.getValue());
    }
}
