package dev.cachalot.origin;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * Where an origin lives: the named route it belongs to and its scheme, host and port. Requests are
 * sent to this address with their own path and query; the Host field sent is the client's (or the
 * origin's own when {@code hostHeader} is set).
 *
 * @param route      the route (virtual host) name, used in metrics and logs
 * @param scheme     "http" or "https"
 * @param host       host name or IP literal (without brackets)
 * @param port       TCP port
 * @param hostHeader the Host value to send instead of the client's, or null to keep the client's
 */
public record OriginTarget(String route, String scheme, String host, int port, String hostHeader) {
    public OriginTarget {
        Objects.requireNonNull(route, "route");
        Objects.requireNonNull(scheme, "scheme");
        Objects.requireNonNull(host, "host");
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("scheme must be http or https: " + scheme);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** Parses an origin URL such as {@code http://127.0.0.1:8081}; a path, query or user info is refused. */
    public static OriginTarget parse(String route, String url, String hostHeader) {
        URI uri = URI.create(url);
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme == null || uri.getHost() == null) {
            throw new IllegalArgumentException("not an absolute http(s) URL: " + url);
        }
        if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null
                || (uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/"))) {
            throw new IllegalArgumentException("an origin URL has only scheme, host and port: " + url);
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        return new OriginTarget(route, scheme, host, port, hostHeader);
    }

    /** The authority of the origin itself, host[:port] with IPv6 literals bracketed. */
    public String authority() {
        String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        boolean defaultPort = (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
        return defaultPort ? h : h + ":" + port;
    }
}
