package dev.cachalot.http;

import java.util.Objects;

/**
 * The head of a request as the cache sees it: method, the target URI split into scheme, authority
 * and path-and-query (origin-form target), the protocol version and the header fields.
 *
 * @param method      the request method token, case-sensitive (RFC 9110 §9.1)
 * @param scheme      "http" or "https": the scheme of the target URI
 * @param authority   host[:port] of the target URI (from Host or the absolute-form target)
 * @param target      path and query, starting with "/" ("*" for OPTIONS *)
 * @param protocol    e.g. "HTTP/1.1" or "HTTP/2.0"
 * @param headers     the header fields as received
 */
public record RequestHead(String method, String scheme, String authority, String target, String protocol,
                          HeaderFields headers) {
    public RequestHead {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(authority, "authority");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(headers, "headers");
    }

    /** The target URI as an absolute URI string: scheme://authority/path?query. */
    public String uri() {
        return scheme + "://" + authority + target;
    }

    /** The path part of the target, without the query. */
    public String path() {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    /** A copy with other header fields. */
    public RequestHead withHeaders(HeaderFields newHeaders) {
        return new RequestHead(method, scheme, authority, target, protocol, newHeaders);
    }

    public boolean isMethod(String m) {
        return method.equals(m);
    }
}
