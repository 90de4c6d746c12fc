package dev.cachalot.e2e;

import dev.cachalot.Cachalot;
import dev.cachalot.config.CachalotConfig;
import dev.cachalot.config.ConfigLoader;

/** Starts an in-process Cachalot on ephemeral loopback ports for tests. */
public final class TestProxy {
    private TestProxy() {}

    /** A proxy whose only (default) route is the given origin URL; {@code extraYaml} may add sections. */
    public static Cachalot start(String originUrl, String extraServerYaml) throws Exception {
        String yaml = "server:\n"
                + "  listen: 127.0.0.1:0\n"
                + "  shutdownTimeout: 2s\n"
                + (extraServerYaml == null ? "" : extraServerYaml)
                + "admin:\n"
                + "  listen: 127.0.0.1:0\n"
                + "routes:\n"
                + "  - name: default\n"
                + "    origin: " + originUrl + "\n";
        return Cachalot.start(ConfigLoader.parse("test", yaml));
    }

    /** A proxy from a whole YAML document (listen addresses should use port 0). */
    public static Cachalot startYaml(String yaml) throws Exception {
        CachalotConfig c = ConfigLoader.parse("test", yaml);
        return Cachalot.start(c);
    }
}
