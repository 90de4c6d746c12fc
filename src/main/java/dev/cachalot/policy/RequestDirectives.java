package dev.cachalot.policy;

import dev.cachalot.http.HeaderFields;

import java.util.List;
import java.util.Locale;

/** Request cache directives (RFC 9111 §5.2.1), including the Pragma: no-cache fallback (§5.4). */
public final class RequestDirectives {
    private RequestDirectives() {}

    /** A parsed "Cache-Control: no-cache" used for the Pragma fallback. */
    private static final CacheControl NO_CACHE = CacheControl.parse("no-cache");

    /**
     * The request's directives. RFC 9111 §5.4: when Cache-Control is absent, {@code Pragma: no-cache}
     * has the same effect as {@code Cache-Control: no-cache}.
     */
    public static CacheControl parse(HeaderFields headers) {
        if (headers.contains("Cache-Control")) {
            return CacheControl.parse(headers);
        }
        if (!headers.contains("Pragma")) {
            return CacheControl.EMPTY; // the usual request: no list to build
        }
        List<String> pragma = headers.listElements("Pragma");
        for (String p : pragma) {
            if (p.toLowerCase(Locale.ROOT).equals("no-cache")) {
                return NO_CACHE;
            }
        }
        return CacheControl.EMPTY;
    }
}
