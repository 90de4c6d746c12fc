package dev.cachalot.origin;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.HopByHop;
import dev.cachalot.http.RequestHead;
import dev.cachalot.http.ResponseHead;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The header rewriting a proxy does on the way through: hop-by-hop fields removed (RFC 9110
 * §7.6.1), Via added (RFC 9110 §7.6.3), and the forwarding fields X-Forwarded-For/-Proto/-Host and
 * Forwarded (RFC 7239) rebuilt. Values a client sent are kept only when the TCP peer is a trusted
 * proxy; otherwise they are dropped and rebuilt from what this proxy saw, so a client cannot forge
 * its address. On the way to the client, the origin-to-cache label fields named at construction
 * (the purge tag fields, {@code purge.tagHeaders} such as {@code Surrogate-Key}) are removed too:
 * they stay in the stored head, clients never see them.
 */
public final class ProxyHeaders {
    private final String pseudonym;
    /** Swapped whole by {@link #trust} (configuration reload); read once per decision. */
    private volatile TrustedProxies trusted;
    /** Field names removed from every client response (besides hop-by-hop ones); may be empty. */
    private final String[] clientHidden;

    public ProxyHeaders(String pseudonym, TrustedProxies trusted) {
        this(pseudonym, trusted, List.of());
    }

    /**
     * @param pseudonym    this proxy's name in Via
     * @param trusted      the peers whose forwarding fields are believed
     * @param clientHidden field names (case-insensitive) removed from every response head sent to
     *                     clients, e.g. the purge tag fields when {@code purge.stripTagHeaders} is on
     */
    public ProxyHeaders(String pseudonym, TrustedProxies trusted, List<String> clientHidden) {
        this.pseudonym = pseudonym;
        this.trusted = trusted;
        this.clientHidden = clientHidden.toArray(new String[0]);
    }

    /** Believes the forwarding fields of {@code proxies} from now on (configuration reload). */
    public void trust(TrustedProxies proxies) {
        this.trusted = proxies;
    }

    /**
     * The true client address: the peer itself unless it is trusted; then the X-Forwarded-For
     * chain read from the right, skipping trusted hops; the leftmost entry when all are trusted.
     */
    public String clientAddress(String peer, HeaderFields headers) {
        TrustedProxies trusted = this.trusted;
        if (!trusted.contains(peer)) {
            return peer;
        }
        List<String> chain = headers.listElements("X-Forwarded-For");
        String candidate = peer;
        for (int i = chain.size() - 1; i >= 0; i--) {
            String hop = chain.get(i);
            if (TrustedProxies.literal(hop) == null) {
                // Not an address: stop at the last good one rather than believe garbage.
                return candidate;
            }
            candidate = hop;
            if (!trusted.contains(hop)) {
                return hop;
            }
        }
        return candidate;
    }

    /**
     * The head to send to the origin.
     *
     * @param in     the request as received
     * @param peer   TCP peer address
     * @param secure whether the client connection is TLS
     */
    public RequestHead toOrigin(RequestHead in, String peer, boolean secure) {
        return toOrigin(in, in.headers(), peer, secure);
    }

    /**
     * The head to send to the origin when the cache has already rewritten the client's request
     * (e.g. removed the client's X-Forwarded-* and Forwarded fields so they can reach neither the
     * cache key nor a shared entry, or built a conditional request): the forwarding chain is read
     * from the fields of the request as received, so a trusted proxy chain is still extended.
     *
     * @param in       the request to forward (its other fields are sent as they are)
     * @param received the fields of the request as the client sent it
     * @param peer     TCP peer address
     * @param secure   whether the client connection is TLS
     */
    public RequestHead toOrigin(RequestHead in, HeaderFields received, String peer, boolean secure) {
        in = MaxForwards.decremented(in); // RFC 9110 §7.6.2 (TRACE, OPTIONS)
        HeaderFields h = in.headers();
        boolean peerTrusted = trusted.contains(peer);
        HeaderFields.Builder b = stripHopByHop(h).toBuilder();
        // RFC 9110 §7.6.3: append this hop to Via.
        String via = h.combined("Via");
        String hop = protocolVersion(in.protocol()) + " " + pseudonym;
        b.set("Via", via == null ? hop : via + ", " + hop);

        String proto = secure ? "https" : "http";
        String host = h.first("Host") != null ? h.first("Host") : in.authority();
        String xff = peerTrusted ? received.combined("X-Forwarded-For") : null;
        b.set("X-Forwarded-For", xff == null ? peer : xff + ", " + peer);
        String xfp = peerTrusted ? received.first("X-Forwarded-Proto") : null;
        b.set("X-Forwarded-Proto", xfp == null ? proto : xfp);
        String xfh = peerTrusted ? received.first("X-Forwarded-Host") : null;
        if (xfh != null || host != null) {
            b.set("X-Forwarded-Host", xfh == null ? host : xfh);
        }
        // RFC 7239 §4: one element per hop; ours is appended to a trusted chain.
        String element = "for=" + nodeName(peer) + ";proto=" + proto + (host == null ? "" : ";host=" + quote(host));
        String fwd = peerTrusted ? received.combined("Forwarded") : null;
        b.set("Forwarded", fwd == null ? element : fwd + ", " + element);
        return in.withHeaders(b.build());
    }

    /**
     * The response head to send to the client: hop-by-hop fields and the configured client-hidden
     * fields (purge tags) removed, Via added. The caching pipeline's fast path calls this once per
     * stored entry version and reuses the result, so per-hit cost does not depend on it.
     */
    public ResponseHead toClient(ResponseHead in, String protocol) {
        HeaderFields h = in.headers();
        HeaderFields kept = stripHopByHop(h);
        if (clientHidden.length > 0) {
            kept = kept.without(clientHidden);
        }
        HeaderFields.Builder b = kept.toBuilder();
        String via = h.combined("Via");
        String hop = protocolVersion(protocol) + " " + pseudonym;
        b.set("Via", via == null ? hop : via + ", " + hop);
        return in.withHeaders(b.build());
    }

    /** Removes Connection and every field it names, the fixed hop-by-hop set and every Proxy-* field. */
    public static HeaderFields stripHopByHop(HeaderFields h) {
        HeaderFields s = HopByHop.strip(h);
        List<String> proxy = new ArrayList<>();
        for (int i = 0; i < s.size(); i++) {
            if (s.name(i).regionMatches(true, 0, "Proxy-", 0, 6)) {
                proxy.add(s.name(i));
            }
        }
        return proxy.isEmpty() ? s : s.without(proxy.toArray(new String[0]));
    }

    /** RFC 9110 §5.6.2 token. */
    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** "HTTP/1.1" becomes "1.1", "HTTP/2.0" becomes "2" (RFC 9110 §7.6.3 received-protocol). */
    static String protocolVersion(String protocol) {
        if (protocol.equals("HTTP/1.1")) {
            return "1.1";
        }
        String p = protocol.toUpperCase(Locale.ROOT);
        if (p.startsWith("HTTP/")) {
            p = p.substring(5);
        }
        return p.equals("2.0") ? "2" : p.equals("3.0") ? "3" : p;
    }

    /** An RFC 7239 node: IPv6 literals bracketed and quoted. */
    static String nodeName(String address) {
        if (address.indexOf(':') >= 0) {
            return "\"[" + address + "]\"";
        }
        return address;
    }

    private static String quote(String value) {
        if (isToken(value)) {
            return value;
        }
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
