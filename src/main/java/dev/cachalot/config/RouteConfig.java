package dev.cachalot.config;

import java.util.List;

/**
 * One virtual host: the Host names it answers and the origin it forwards to.
 *
 * @param name       route name (metrics, logs, defaultRoute)
 * @param hosts      host names, matched case-insensitively without the port; "*.example.com" matches subdomains
 * @param origin     origin URL, scheme://host:port
 * @param hostHeader Host sent to the origin instead of the client's, "" to keep the client's
 */
public record RouteConfig(String name, List<String> hosts, String origin, String hostHeader) {
    static RouteConfig from(ConfigNode n) {
        String name = n.string("name", "");
        if (!name.matches("[A-Za-z0-9_.-]+")) {
            throw n.fail("name", name, "is required: letters, digits, '_', '.', '-'");
        }
        List<String> hosts = n.strings("hosts", List.of());
        for (int i = 0; i < hosts.size(); i++) {
            if (!hosts.get(i).matches("(\\*\\.)?[A-Za-z0-9_.\\-\\[\\]:]+")) {
                throw n.fail("hosts[" + i + "]", hosts.get(i), "must be a host name, IP literal or *.domain");
            }
        }
        String origin = n.string("origin", "");
        try {
            dev.cachalot.origin.OriginTarget.parse(name, origin, null);
        } catch (IllegalArgumentException e) {
            throw n.fail("origin", origin, "must be an http(s) URL with only scheme, host and port ("
                    + e.getMessage() + ")");
        }
        String hostHeader = n.string("hostHeader", "");
        n.finish();
        return new RouteConfig(name, hosts, origin, hostHeader);
    }
}
