package dev.cachalot.conformance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The reviewed list of tests a cache is known to fail, each with its reason. File format, one entry a line:
 * {@code <test-id>: <reason>}; blank lines and lines starting with {@code #} are ignored. A line without a
 * reason, a malformed id or a duplicate id is an error naming the file and line, so an exclusion can never be
 * added silently.
 */
public final class KnownDeviations {
    private final Map<String, String> reasons;

    private KnownDeviations(Map<String, String> reasons) {
        this.reasons = reasons;
    }

    /** No known deviations. */
    public static KnownDeviations none() {
        return new KnownDeviations(Map.of());
    }

    public static KnownDeviations load(Path file) throws IOException {
        return parse(file.toString(), Files.readAllLines(file, StandardCharsets.UTF_8));
    }

    /** Parses the lines of a known-deviations file; {@code source} names it in error messages. */
    public static KnownDeviations parse(String source, List<String> lines) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            String where = source + " line " + (i + 1) + ": ";
            if (colon < 0) {
                throw new IllegalArgumentException(where + "expected '<test-id>: <reason>', got '" + line + "'");
            }
            String id = line.substring(0, colon).strip();
            String reason = line.substring(colon + 1).strip();
            if (!id.matches("[a-z0-9]+(-[a-z0-9]+)*")) {
                throw new IllegalArgumentException(where + "'" + id + "' is not a test id (lowercase words and dashes)");
            }
            if (reason.length() < 10) {
                throw new IllegalArgumentException(where + "test '" + id
                        + "' needs a reason of at least 10 characters explaining the deviation");
            }
            if (m.put(id, reason) != null) {
                throw new IllegalArgumentException(where + "test '" + id + "' is listed twice");
            }
        }
        return new KnownDeviations(Map.copyOf(m));
    }

    /** The reason a test is a known deviation, or null. */
    public String reason(String testId) {
        return reasons.get(testId);
    }

    public Map<String, String> all() {
        return reasons;
    }
}
