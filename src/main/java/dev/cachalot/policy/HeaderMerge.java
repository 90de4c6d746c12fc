package dev.cachalot.policy;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.HopByHop;
import dev.cachalot.http.ResponseHead;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Updating a stored head from a 304 or a HEAD response (RFC 9111 §3.2, §4.3.4, §4.3.5): every field
 * of the new response replaces the stored lines of that name, except fields excluded from storage
 * (§3.1: hop-by-hop, Connection-listed, proxy-specific, qualified private), Content-Length, and
 * fields the stored body depends on (Content-Encoding, Content-Range, Transfer-Encoding; §3.2 allows
 * excluding them "to assure integrity of the stored response"). Set-Cookie is never merged into the
 * shared head unless the {@link SetCookiePolicy} would have stored it; the triggering client still
 * receives it.
 */
public final class HeaderMerge {
    private HeaderMerge() {}

    private static final Set<String> NEVER_UPDATED = Set.of("content-length", "content-encoding", "content-range",
            "transfer-encoding", "proxy-authenticate", "proxy-authentication-info", "proxy-authorization");

    /**
     * The result of a merge.
     *
     * @param stored    the head to store (shared by future clients)
     * @param forClient the head for the client whose request caused the update (may carry its Set-Cookie)
     * @param storable  false when the updated directives forbid keeping the response (no-store, or
     *                  unqualified private in a shared cache): serve {@code forClient} to this client
     *                  only and remove the stored response
     */
    public record Result(ResponseHead stored, ResponseHead forClient, boolean storable) {}

    /** What to do with a stored GET response after a HEAD response (RFC 9111 §4.3.5). */
    public enum HeadUpdateKind {
        /** Validators and length agree: update the stored head. */
        UPDATE,
        /** They disagree: the stored response must be considered stale; we invalidate it. */
        INVALIDATE
    }

    /** A HEAD-update result: the kind, and the merged result for UPDATE (else null). */
    public record HeadUpdate(HeadUpdateKind kind, Result merged) {}

    /** Merges a 304 (or other updating response) into a stored head. */
    public static Result merge(ResponseHead stored, ResponseHead update, PolicyConfig config) {
        HeaderFields incoming = HopByHop.strip(update.headers());
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < incoming.size(); i++) {
            names.add(incoming.name(i).toLowerCase(Locale.ROOT));
        }
        names.removeAll(NEVER_UPDATED);
        HeaderFields.Builder base = stored.headers().toBuilder();
        for (String n : names) {
            base.remove(n);
        }
        for (int i = 0; i < incoming.size(); i++) {
            String n = incoming.name(i);
            if (names.contains(n.toLowerCase(Locale.ROOT)) && !n.equalsIgnoreCase("Set-Cookie")) {
                base.add(n, incoming.value(i));
            }
        }
        HeaderFields merged = base.remove("Set-Cookie").build();
        // Set-Cookie: the stored one (if any was kept at store time) stays unless the update has its own.
        HeaderFields storedCookies = onlySetCookie(stored.headers());
        HeaderFields updateCookies = onlySetCookie(incoming);
        ResponseDirectives dirs = ResponseDirectives.of(merged, config, RouteOverrides.NONE);
        CacheControl cc = dirs.cc();
        boolean shareable = config.setCookiePolicy() == SetCookiePolicy.STORE_WHEN_SHAREABLE
                && (cc.isPublic() || cc.sMaxAge() != DeltaSeconds.ABSENT);
        HeaderFields.Builder sb = merged.toBuilder();
        if (shareable) {
            // A stored Set-Cookie survives only while the merged response is still marked shareable.
            sb.addAll(updateCookies.isEmpty() ? storedCookies : updateCookies);
        }
        HeaderFields storedFields = sb.build();
        if (config.shared() && cc.isPrivate() && !cc.privateFields().isEmpty()) {
            storedFields = storedFields.without(cc.privateFields().toArray(new String[0]));
        }
        HeaderFields clientFields = updateCookies.isEmpty() ? storedFields
                : storedFields.without("Set-Cookie").toBuilder().addAll(updateCookies).build();
        // RFC 9111 §3.2 keeps §3.1's exclusions: the listed private fields are not stored.
        boolean storable = !(cc.noStore() && !cc.mustUnderstand())
                && !(config.shared() && cc.isPrivate() && cc.privateFields().isEmpty());
        return new Result(stored.withHeaders(storedFields), stored.withHeaders(clientFields), storable);
    }

    private static HeaderFields onlySetCookie(HeaderFields h) {
        HeaderFields.Builder b = HeaderFields.builder();
        for (String v : h.all("Set-Cookie")) {
            b.add("Set-Cookie", v);
        }
        return b.build();
    }

    /**
     * RFC 9111 §4.3.5: a 200 response to HEAD updates a stored GET response when every validator the
     * HEAD response carries (ETag, Last-Modified) matches the stored one and its Content-Length (if
     * any) equals the stored length; otherwise the stored response is to be considered stale.
     */
    public static HeadUpdate headUpdate(StoredResponse stored, ResponseHead head, PolicyConfig config) {
        if (head.status() != 200) {
            return new HeadUpdate(HeadUpdateKind.INVALIDATE, null);
        }
        HeaderFields h = head.headers();
        String etag = h.first("ETag");
        if (etag != null) {
            EntityTag t = EntityTag.parse(etag).orElse(null);
            EntityTag s = stored.etag();
            if (t == null || s == null || !t.opaque().equals(s.opaque()) || t.weak() != s.weak()) {
                return new HeadUpdate(HeadUpdateKind.INVALIDATE, null);
            }
        }
        String lm = h.first("Last-Modified");
        if (lm != null) {
            String slm = stored.head().headers().first("Last-Modified");
            if (slm == null || !dev.cachalot.http.HttpDates.parse(lm).equals(dev.cachalot.http.HttpDates.parse(slm))) {
                return new HeadUpdate(HeadUpdateKind.INVALIDATE, null);
            }
        }
        String cl = h.first("Content-Length");
        if (cl != null && DeltaSeconds.parse(cl.trim()) != stored.bodyLength()) {
            return new HeadUpdate(HeadUpdateKind.INVALIDATE, null);
        }
        return new HeadUpdate(HeadUpdateKind.UPDATE, merge(stored.head(), head, config));
    }
}
