package dev.cachalot.policy;

import dev.cachalot.http.RequestHead;
import dev.cachalot.http.ResponseHead;
import dev.cachalot.http.Methods;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Invalidation after unsafe methods (RFC 9111 §4.4): a non-error response (2xx or 3xx) to an unsafe
 * request invalidates the target URI (MUST) and the URIs in Location and Content-Location (MAY),
 * the latter only when they have the same origin (scheme, host, port) as the target, to stop a
 * response from one origin purging another's entries.
 */
public final class Invalidation {
    private Invalidation() {}

    /**
     * The primary keys to invalidate (all variants of each), or an empty list.
     *
     * @param request  the request as forwarded
     * @param response the origin's response head
     */
    public static List<String> keysToInvalidate(RequestHead request, ResponseHead response) {
        List<String> out = new ArrayList<>();
        if (Methods.isSafe(request.method())) {
            return out;
        }
        int status = response.status();
        if (status < 200 || status >= 400) {
            return out; // RFC 9111 §4.4: only non-error responses invalidate
        }
        out.add(CacheKeys.primary(request));
        for (String field : new String[] {"Location", "Content-Location"}) {
            String v = response.headers().first(field);
            if (v == null) {
                continue;
            }
            String key = sameOriginKey(request, v.trim());
            if (key != null && !out.contains(key)) {
                out.add(key);
            }
        }
        return out;
    }

    /** Resolves a URI reference against the target and returns its key when same-origin, else null. */
    static String sameOriginKey(RequestHead request, String reference) {
        try {
            URI base = new URI(request.scheme().toLowerCase(Locale.ROOT) + "://" + request.authority()
                    + request.target());
            URI r = base.resolve(new URI(reference));
            if (r.getScheme() == null || r.getRawAuthority() == null) {
                return null;
            }
            String scheme = r.getScheme().toLowerCase(Locale.ROOT);
            String authority = CacheKeys.normalizeAuthority(scheme, r.getRawAuthority());
            String baseAuthority = CacheKeys.normalizeAuthority(scheme, request.authority());
            if (!scheme.equals(request.scheme().toLowerCase(Locale.ROOT)) || !authority.equals(baseAuthority)) {
                return null;
            }
            String path = r.getRawPath() == null || r.getRawPath().isEmpty() ? "/" : r.getRawPath();
            String target = r.getRawQuery() == null ? path : path + "?" + r.getRawQuery();
            return CacheKeys.primary(scheme, authority, target);
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null; // a malformed reference invalidates nothing extra
        }
    }
}
