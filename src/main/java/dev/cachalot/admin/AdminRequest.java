package dev.cachalot.admin;

import java.util.List;
import java.util.Map;

/**
 * One admin request as an endpoint sees it (no Undertow types).
 *
 * @param method the request method, upper case (HEAD is presented as GET)
 * @param path   the decoded path, without the query
 * @param query  decoded query parameters
 * @param body   the request body (empty for GET); at most {@link AdminHandler#MAX_BODY_BYTES}
 * @param clientAddress the TCP peer address of the admin client (IP literal, "unknown" when not
 *               known), for audit lines of state-changing endpoints
 */
public record AdminRequest(String method, String path, Map<String, List<String>> query, byte[] body,
                           String clientAddress) {
    public AdminRequest {
        query = Map.copyOf(query);
        clientAddress = clientAddress == null || clientAddress.isEmpty() ? "unknown" : clientAddress;
    }

    /** A request whose client address is not known. */
    public AdminRequest(String method, String path, Map<String, List<String>> query, byte[] body) {
        this(method, path, query, body, "unknown");
    }

    /** The first value of query parameter {@code name}, or null. */
    public String param(String name) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
