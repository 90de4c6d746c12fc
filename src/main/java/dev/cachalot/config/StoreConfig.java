package dev.cachalot.config;

/**
 * The cache store (memory tier in front of the disk tier).
 *
 * @param dir           directory of the disk tier
 * @param memorySize    memory tier capacity in bytes
 * @param diskSize      disk tier capacity in bytes
 * @param maxObjectSize largest response body that is stored
 */
public record StoreConfig(String dir, long memorySize, long diskSize, long maxObjectSize) {
    static StoreConfig from(ConfigNode n) {
        StoreConfig c = new StoreConfig(
                n.string("dir", "./var/cache"),
                n.size("memorySize", 256L << 20, 0, 1L << 40),
                n.size("diskSize", 10L << 30, 0, 1L << 50),
                n.size("maxObjectSize", 1L << 30, 1, 1L << 40));
        if (c.dir.isBlank()) {
            throw n.fail("dir", c.dir, "must not be empty");
        }
        n.finish();
        return c;
    }

    public StoreConfig withDir(String newDir) {
        return new StoreConfig(newDir, memorySize, diskSize, maxObjectSize);
    }
}
