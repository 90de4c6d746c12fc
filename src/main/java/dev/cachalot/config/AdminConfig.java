package dev.cachalot.config;

/**
 * The admin listener (health, readiness, metrics, stats).
 *
 * @param enabled start the admin listener
 * @param listen  its address; keep it on loopback
 * @param token   bearer token for state-changing admin endpoints; "" disables them
 */
public record AdminConfig(boolean enabled, HostPort listen, String token) {
    static AdminConfig from(ConfigNode n) {
        AdminConfig c = new AdminConfig(n.bool("enabled", true), HostPort.read(n, "listen", "127.0.0.1:9090"),
                n.string("token", ""));
        n.finish();
        return c;
    }
}
