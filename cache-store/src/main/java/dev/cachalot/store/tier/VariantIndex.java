package dev.cachalot.store.tier;

import dev.cachalot.store.StoreKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The memory tier's map from a primary key to the keys of its variants, kept small because there is
 * one mapping per cached URL: a primary with one variant (by far the usual case) maps to that key
 * itself, one with several to an array, replaced whole on every change (variants of one URL are
 * few). This costs about 40 bytes per URL on the heap, where a concurrent set per URL cost about
 * 250. Updates go through {@link ConcurrentHashMap#compute}, so they are atomic per primary.
 */
final class VariantIndex {
  /** Values are a {@link StoreKey} or a {@code StoreKey[]} of two or more. */
  private final ConcurrentHashMap<StoreKey, Object> byPrimary = new ConcurrentHashMap<>();

  /** Records {@code key} as a variant of its primary (no-op when it is already recorded). */
  void add(StoreKey key) {
    byPrimary.compute(key.primaryKey(), (pk, v) -> {
      if (v == null) {
        return key;
      }
      if (v instanceof StoreKey) {
        return v.equals(key) ? v : new StoreKey[] {(StoreKey) v, key};
      }
      StoreKey[] a = (StoreKey[]) v;
      for (StoreKey k : a) {
        if (k.equals(key)) {
          return v;
        }
      }
      StoreKey[] b = Arrays.copyOf(a, a.length + 1);
      b[a.length] = key;
      return b;
    });
  }

  /** Forgets {@code key}; the primary's mapping goes when its last variant does. */
  void remove(StoreKey key) {
    byPrimary.computeIfPresent(key.primaryKey(), (pk, v) -> {
      if (v instanceof StoreKey) {
        return v.equals(key) ? null : v;
      }
      StoreKey[] a = (StoreKey[]) v;
      int at = -1;
      for (int i = 0; i < a.length; i++) {
        if (a[i].equals(key)) {
          at = i;
          break;
        }
      }
      if (at < 0) {
        return v;
      }
      if (a.length == 2) {
        return a[1 - at];
      }
      StoreKey[] b = new StoreKey[a.length - 1];
      System.arraycopy(a, 0, b, 0, at);
      System.arraycopy(a, at + 1, b, at, a.length - at - 1);
      return b;
    });
  }

  /** The recorded variants of {@code key}'s primary (a new list; empty when none). */
  List<StoreKey> variants(StoreKey key) {
    return list(byPrimary.get(key.primaryKey()));
  }

  /**
   * The current variant set of {@code key}'s primary as an opaque immutable value, or null when none:
   * replaced by a new value on every change, so the same value (by identity) means the same set.
   */
  Object snapshot(StoreKey key) {
    return byPrimary.get(key.primaryKey());
  }

  /** The variants in a {@link #snapshot} (a new list; empty for null). */
  static List<StoreKey> list(Object v) {
    if (v == null) {
      return List.of();
    }
    if (v instanceof StoreKey) {
      List<StoreKey> one = new ArrayList<>(1);
      one.add((StoreKey) v);
      return one;
    }
    return new ArrayList<>(Arrays.asList((StoreKey[]) v));
  }

  /**
   * The variants in a {@link #snapshot} as an unmodifiable list (empty for null): of one, the usual
   * case, without the copy {@link #list} makes (a lookup lists the variants on every request).
   */
  static List<StoreKey> view(Object v) {
    if (v == null) {
      return List.of();
    }
    if (v instanceof StoreKey) {
      return List.of((StoreKey) v);
    }
    return List.of((StoreKey[]) v);
  }

  /** Primaries recorded (tests). */
  int primaries() {
    return byPrimary.size();
  }

  void clear() {
    byPrimary.clear();
  }
}
