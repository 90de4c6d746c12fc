package dev.cachalot.config;

import dev.cachalot.store.MemoryBodies;
import dev.cachalot.store.StoreConfig;
import dev.cachalot.store.StoreConfigException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The {@code store:} section: binds the YAML keys to the cache store's own validated
 * {@link StoreConfig}. The defaults come from {@link StoreConfig#defaults()} (one source of truth);
 * a value the store rejects is reported under this file's key name.
 */
final class StoreSection {
    /** The store's own key names (in its exceptions) mapped to the keys of cachalot.yaml. */
    private static final Map<String, String> KEYS = Map.ofEntries(
            Map.entry("cache.dir", "store.dir"),
            Map.entry("cache.disk.enabled", "store.diskEnabled"),
            Map.entry("cache.memory.max-bytes", "store.memorySize"),
            Map.entry("cache.memory.max-object-bytes", "store.memoryMaxObjectSize"),
            Map.entry("cache.max-object-bytes", "store.maxObjectSize"),
            Map.entry("cache.disk.max-bytes", "store.diskSize"),
            Map.entry("cache.disk.max-entries", "store.diskMaxEntries"),
            Map.entry("cache.disk.chunk-bytes", "store.chunkSize"),
            Map.entry("cache.disk.average-head-bytes", "store.averageHeadSize"),
            Map.entry("cache.disk.average-body-bytes", "store.averageBodySize"),
            Map.entry("cache.disk.inline-read-max-bytes", "store.inlineReadMaxSize"),
            Map.entry("cache.disk.promote-after-hits", "store.promoteAfterHits"),
            Map.entry("cache.max-variants", "store.maxVariants"),
            Map.entry("cache.disk.sweep-interval", "store.sweepInterval"),
            Map.entry("cache.disk.answer-on-io-thread", "store.diskAnswerOnIoThread"),
            Map.entry("cache.memory.bodies", "store.memoryBodies"),
            Map.entry("cache.disk.sendfile", "store.sendfile"));

    private StoreSection() {}

    static StoreConfig from(ConfigNode n) {
        StoreConfig d = StoreConfig.defaults();
        String dir = n.string("dir", d.directory().toString());
        if (dir.isBlank()) {
            throw n.fail("dir", dir, "must not be empty");
        }
        StoreConfig.Builder b = d.toBuilder()
                .directory(directory(dir))
                .diskEnabled(n.bool("diskEnabled", d.diskEnabled()))
                .memoryMaxBytes(n.size("memorySize", d.memoryMaxBytes(), 0, 1L << 50))
                .memoryMaxObjectBytes(n.size("memoryMaxObjectSize", d.memoryMaxObjectBytes(), 0, Integer.MAX_VALUE / 2))
                .maxObjectBytes(n.size("maxObjectSize", d.maxObjectBytes(), 1, 1L << 40))
                .diskMaxBytes(n.size("diskSize", d.diskMaxBytes(), 1L << 20, 1L << 46))
                .diskMaxEntries(n.size("diskMaxEntries", d.diskMaxEntries(), 16, 1L << 31))
                .chunkBytes((int) n.size("chunkSize", d.chunkBytes(), 4096, 4L << 20))
                .averageHeadBytes((int) n.size("averageHeadSize", d.averageHeadBytes(), 64, 1L << 20))
                .averageBodyBytes((int) n.size("averageBodySize", d.averageBodyBytes(), 1, 64L << 20))
                .inlineReadMaxBytes(n.size("inlineReadMaxSize", d.inlineReadMaxBytes(), 0, 64L << 20))
                .promoteAfterHits(n.integer("promoteAfterHits", d.promoteAfterHits(), 1, 1000))
                .maxVariants(n.integer("maxVariants", d.maxVariants(), 1, 4096))
                .sweepInterval(n.duration("sweepInterval", d.sweepInterval(), java.time.Duration.ofSeconds(1),
                        java.time.Duration.ofDays(1)))
                .diskAnswerOnIoThread(n.bool("diskAnswerOnIoThread", d.diskAnswerOnIoThread()))
                .sendfile(n.bool("sendfile", d.sendfile()));
        String bodies = n.string("memoryBodies", d.memoryBodies().word());
        try {
            b.memoryBodies(MemoryBodies.parse(bodies));
        } catch (StoreConfigException e) {
            throw n.fail("memoryBodies", bodies, e.rule());
        }
        n.finish();
        return build(b, n.source());
    }

    /** Validates through the store, naming the cachalot.yaml key on failure. */
    static StoreConfig build(StoreConfig.Builder b, String source) {
        try {
            return b.build();
        } catch (StoreConfigException e) {
            String rule = e.rule();
            for (Map.Entry<String, String> k : KEYS.entrySet()) {
                rule = rule.replace(k.getKey(), k.getValue());
            }
            throw new ConfigException(source, KEYS.getOrDefault(e.key(), e.key()), String.valueOf(e.value()), rule);
        }
    }

    /** The disk directory of a configured path; "./var/cache" and "var/cache" are the same. */
    static Path directory(String dir) {
        return Path.of(dir).normalize();
    }
}
