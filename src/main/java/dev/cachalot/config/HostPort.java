package dev.cachalot.config;

/**
 * A listen address written {@code HOST:PORT} ({@code [::1]:8080} for IPv6). Port 0 asks the OS for a
 * free port (tests).
 */
public record HostPort(String host, int port) {
    /** Parses HOST:PORT; returns null when the text does not have that form. */
    public static HostPort parse(String text) {
        if (text == null) {
            return null;
        }
        String s = text.trim();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            return null;
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            return null;
        }
        if (host.isEmpty()) {
            return null;
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            return null;
        }
        return port < 0 || port > 65535 ? null : new HostPort(host, port);
    }

    /** Parses a listen value read from a config node, failing with the key and the rule. */
    static HostPort read(ConfigNode node, String name, String dflt) {
        String v = node.string(name, dflt);
        HostPort hp = parse(v);
        if (hp == null) {
            throw node.fail(name, v, "must be HOST:PORT with a port from 0 to 65535 (IPv6 as [::1]:PORT)");
        }
        return hp;
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
