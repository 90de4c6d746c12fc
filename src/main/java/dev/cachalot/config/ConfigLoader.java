package dev.cachalot.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads the YAML configuration into {@link CachalotConfig} and applies command-line overrides.
 * Every failure is a {@link ConfigException} naming the file, the key, the value and the rule.
 */
public final class ConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ConfigLoader() {}

    /** The built-in defaults (no file). */
    public static CachalotConfig defaults() {
        return CachalotConfig.from(new ConfigNode("defaults", "", MissingNode.getInstance()));
    }

    /** Loads a file. */
    public static CachalotConfig load(Path file) {
        String source = file.toString();
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(source, "(file)", null, "cannot be read: " + e);
        }
        return parse(source, text);
    }

    /** Parses YAML text; {@code source} names it in errors. */
    public static CachalotConfig parse(String source, String yaml) {
        return CachalotConfig.from(new ConfigNode(source, "", tree(source, yaml)));
    }

    /**
     * The keys a document leaves to their defaults (for checking that the reference file documents
     * every key). Section keys whose children are all present do not count.
     */
    public static java.util.Set<String> defaultedKeys(String source, String yaml) {
        ConfigNode root = new ConfigNode(source, "", tree(source, yaml));
        CachalotConfig.from(root);
        return root.defaulted();
    }

    private static JsonNode tree(String source, String yaml) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
            throw new ConfigException(source, "(document)", null, "is not valid YAML" + where + ": "
                    + e.getOriginalMessage());
        }
        return root;
    }

    /**
     * Applies command-line overrides (null fields are not given).
     *
     * @param origin a single origin URL: replaces all routes with one default route
     */
    public static CachalotConfig override(CachalotConfig c, String listen, String origin, String adminListen,
                                          String adminToken, String cacheDir) {
        String src = "command line";
        if (listen != null) {
            HostPort hp = HostPort.parse(listen);
            if (hp == null) {
                throw new ConfigException(src, "--listen", listen, "must be HOST:PORT");
            }
            ServerConfig s = c.server();
            c = c.withServer(new ServerConfig(hp, s.tls(), s.ioThreads(), s.limits(), s.allowBodyOnGetHead(),
                    s.trustedProxies(), s.unknownHost(), s.defaultRoute(), s.via(), s.shutdownTimeout(), s.hitShortcut(),
                    s.connectionPlacement(), s.ioYieldEvery()));
        }
        if (origin != null) {
            try {
                dev.cachalot.origin.OriginTarget.parse("default", origin, null);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(src, "--origin", origin, "must be an http(s) URL with only scheme, host"
                        + " and port");
            }
            ServerConfig s = c.server();
            c = c.withRoutes(List.of(new RouteConfig("default", List.of(), origin, "")))
                    .withServer(new ServerConfig(s.listen(), s.tls(), s.ioThreads(), s.limits(),
                            s.allowBodyOnGetHead(), s.trustedProxies(), s.unknownHost(), "default", s.via(),
                            s.shutdownTimeout(), s.hitShortcut(), s.connectionPlacement(), s.ioYieldEvery()));
        }
        if (adminListen != null) {
            HostPort hp = HostPort.parse(adminListen);
            if (hp == null) {
                throw new ConfigException(src, "--admin-listen", adminListen, "must be HOST:PORT");
            }
            c = c.withAdmin(new AdminConfig(c.admin().enabled(), hp, c.admin().token()));
        }
        if (adminToken != null) {
            c = c.withAdmin(new AdminConfig(c.admin().enabled(), c.admin().listen(), adminToken));
        }
        if (cacheDir != null) {
            if (cacheDir.isBlank()) {
                throw new ConfigException(src, "--cache-dir", cacheDir, "must not be empty");
            }
            c = c.withStore(StoreSection.build(c.store().toBuilder().directory(StoreSection.directory(cacheDir)), src));
        }
        c.check(src);
        return c;
    }
}
