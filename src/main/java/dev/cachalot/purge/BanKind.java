package dev.cachalot.purge;

import java.util.Locale;

/** What a ban (a purge applied lazily, docs/operations.md "Purge") selects entries by. */
public enum BanKind {
    /** Entries whose tag fields ({@code purge.tagHeaders}) list the tag. */
    TAG,
    /** Entries whose cache key (scheme://host[:port]/path?query) starts with the prefix. */
    PREFIX,
    /** Entries whose cache key names the host (any scheme, any port). */
    HOST;

    /** The lower-case word used in the API, the audit log, the ban file and the metrics. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kind named by {@link #word()}, or null. */
    public static BanKind ofWord(String word) {
        for (BanKind k : values()) {
            if (k.word().equals(word)) {
                return k;
            }
        }
        return null;
    }
}
