package dev.cachalot.origin.pool;

import java.nio.charset.StandardCharsets;

/**
 * The 64-bit hash used on the consistent-hash ring, for request keys and ring points alike:
 * FNV-1a over the UTF-8 bytes followed by the MurmurHash3 finalizer (FNV alone spreads short,
 * similar strings such as {@code url#1}, {@code url#2} poorly in the high bits). Stable across runs
 * and JVMs, so a key maps to the same server after a restart.
 */
public final class KeyHash {
    private KeyHash() {}

    public static long of(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        long h = 0xcbf29ce484222325L;
        for (byte x : b) {
            h ^= x & 0xff;
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    /** The MurmurHash3 64-bit finalizer (fmix64). */
    static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
