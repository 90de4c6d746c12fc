package dev.cachalot.store.tier;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cachalot.store.StoreKey;
import java.util.List;
import org.junit.jupiter.api.Test;

class VariantIndexTest {
  private static StoreKey key(String primary, String variant) {
    return StoreKey.of(primary, variant);
  }

  @Test
  void oneVariantThenSeveralThenBackToNone() {
    VariantIndex index = new VariantIndex();
    StoreKey gzip = key("u", "gzip");
    StoreKey br = key("u", "br");
    StoreKey plain = key("u", "");
    index.add(gzip);
    index.add(gzip);
    assertEquals(List.of(gzip), index.variants(plain), "a key added twice is listed once");
    index.add(br);
    index.add(plain);
    index.add(br);
    assertEquals(List.of(gzip, br, plain), index.variants(key("u", "anything")));
    index.remove(br);
    assertEquals(List.of(gzip, plain), index.variants(plain));
    index.remove(key("u", "never added"));
    assertEquals(List.of(gzip, plain), index.variants(plain));
    index.remove(gzip);
    assertEquals(List.of(plain), index.variants(plain));
    index.remove(plain);
    assertEquals(List.of(), index.variants(plain));
    assertEquals(0, index.primaries(), "the primary's mapping goes with its last variant");
  }

  @Test
  void primariesAreIndependentAndTheListIsACopy() {
    VariantIndex index = new VariantIndex();
    index.add(key("a", "1"));
    index.add(key("b", "1"));
    List<StoreKey> listed = index.variants(key("a", ""));
    listed.clear();
    assertEquals(List.of(key("a", "1")), index.variants(key("a", "")));
    index.remove(key("a", "2"));
    assertEquals(2, index.primaries());
  }
}
