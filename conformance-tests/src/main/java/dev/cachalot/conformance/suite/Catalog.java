package dev.cachalot.conformance.suite;

import dev.cachalot.conformance.dsl.TestCase;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Every conformance test, in report order; ids are checked to be unique. */
public final class Catalog {
    private Catalog() {}

    public static List<TestCase> all() {
        List<TestCase> all = new ArrayList<>();
        for (Dsl group : new Dsl[] {new StorageTests(), new FreshnessTests(), new RequestDirectiveTests(),
                new VaryTests(), new ValidationTests(), new InvalidationTests(), new AuthorizationTests(),
                new RangeTests(), new StaleExtensionTests(), new CacheStatusTests(), new CdnCacheControlTests(),
                new FramingTests(), new PoisoningTests(), new ConcurrencyTests(), new IntermediaryTests()}) {
            all.addAll(group.tests());
        }
        Set<String> ids = new HashSet<>();
        for (TestCase t : all) {
            if (!ids.add(t.id())) {
                throw new IllegalStateException("duplicate test id " + t.id());
            }
        }
        return all;
    }
}
