package dev.cachalot.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A cache key: opaque primary bytes plus opaque variant bytes, with stable 64-bit hashes.
 *
 * <p>The proxy builds the primary part (e.g. scheme + authority + path + query) and, once it
 * knows the stored {@code Vary} list, the variant part (the selected request field values). An
 * empty variant is the "no Vary" variant. Hashes are defined here (FNV-1a 64 followed by the
 * MurmurHash3 finaliser), so they are identical across JVMs and restarts; the disk tier relies on
 * that. The arrays are taken over, not copied: callers must not modify them afterwards.
 */
public final class StoreKey {
  private static final byte[] EMPTY = new byte[0];

  private final byte[] primary;
  private final byte[] variant;
  private final long primaryHash;
  private final long hash;

  private StoreKey(byte[] primary, byte[] variant) {
    this.primary = primary;
    this.variant = variant;
    this.primaryHash = hash64(primary, 0xcbf29ce484222325L);
    this.hash = variant.length == 0 ? primaryHash : hash64(variant, primaryHash ^ 0x9e3779b97f4a7c15L);
  }

  /** A key with the given primary and variant bytes (taken over, not copied). */
  public static StoreKey of(byte[] primary, byte[] variant) {
    if (primary == null || variant == null) {
      throw new IllegalArgumentException("primary and variant must not be null");
    }
    return new StoreKey(primary, variant);
  }

  /** A key with an empty variant. */
  public static StoreKey of(byte[] primary) {
    return of(primary, EMPTY);
  }

  /** A key from UTF-8 strings (convenience for tests and tools). */
  public static StoreKey of(String primary, String variant) {
    return of(primary.getBytes(StandardCharsets.UTF_8), variant.getBytes(StandardCharsets.UTF_8));
  }

  /** A key from a UTF-8 string with an empty variant. */
  public static StoreKey of(String primary) {
    return of(primary.getBytes(StandardCharsets.UTF_8), EMPTY);
  }

  /** The same primary with another variant. */
  public StoreKey withVariant(byte[] newVariant) {
    return of(primary, newVariant);
  }

  /** The primary-only key (empty variant) of this key. */
  public StoreKey primaryKey() {
    return variant.length == 0 ? this : new StoreKey(primary, EMPTY);
  }

  /** A copy of the primary bytes. */
  public byte[] primary() {
    return primary.clone();
  }

  /** A copy of the variant bytes. */
  public byte[] variant() {
    return variant.clone();
  }

  /** The primary bytes without copying (package use only: never modify). */
  byte[] primaryArray() {
    return primary;
  }

  /** The variant bytes without copying (package use only: never modify). */
  byte[] variantArray() {
    return variant;
  }

  /** True when the primary part equals {@code bytes} (no copy). */
  public boolean primaryEquals(byte[] bytes) {
    return Arrays.equals(primary, bytes);
  }

  /** True when the variant part equals {@code bytes} (no copy). */
  public boolean variantEquals(byte[] bytes) {
    return Arrays.equals(variant, bytes);
  }

  /** Length of the primary part in bytes. */
  public int primaryLength() {
    return primary.length;
  }

  /** Length of the variant part in bytes. */
  public int variantLength() {
    return variant.length;
  }

  /** Stable 64-bit hash of the primary part (shared by all variants of a primary). */
  public long primaryHash() {
    return primaryHash;
  }

  /** Stable 64-bit hash of primary and variant together. */
  public long hash() {
    return hash;
  }

  /** True when {@code other} has the same primary bytes. */
  public boolean samePrimary(StoreKey other) {
    return primaryHash == other.primaryHash && Arrays.equals(primary, other.primary);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof StoreKey)) {
      return false;
    }
    StoreKey k = (StoreKey) o;
    return hash == k.hash && Arrays.equals(primary, k.primary) && Arrays.equals(variant, k.variant);
  }

  @Override
  public int hashCode() {
    return (int) (hash ^ (hash >>> 32));
  }

  @Override
  public String toString() {
    return "StoreKey[" + new String(primary, StandardCharsets.UTF_8)
        + (variant.length == 0 ? "" : " | " + new String(variant, StandardCharsets.UTF_8)) + "]";
  }

  /** FNV-1a 64 over the bytes from a seed, then the MurmurHash3 64-bit finaliser. */
  static long hash64(byte[] bytes, long seed) {
    long h = seed;
    for (byte b : bytes) {
      h ^= (b & 0xff);
      h *= 0x100000001b3L;
    }
    h ^= bytes.length;
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}
