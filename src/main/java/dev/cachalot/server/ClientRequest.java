package dev.cachalot.server;

import dev.cachalot.http.RequestHead;
import dev.cachalot.origin.OriginTarget;
import java.io.InputStream;

/**
 * One client request as the rest of Cachalot sees it, with no Undertow type in sight.
 *
 * @param head          the request head as received (hop-by-hop fields still present)
 * @param route         the origin chosen for the request's Host by the virtual-host table
 * @param client        who sent it, when, over what
 * @param contentLength request body length, 0 when there is none, -1 when chunked
 * @param body          the body stream (empty when none); blocking, only on a worker thread. The
 *                      first read sends 100 Continue to a client that asked for it (RFC 9110 §10.1.1)
 */
public record ClientRequest(RequestHead head, OriginTarget route, ClientInfo client, long contentLength,
                            InputStream body) {
    /** True when the request has a body to forward. */
    public boolean hasBody() {
        return contentLength != 0;
    }
}
