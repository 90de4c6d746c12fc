package dev.cachalot.conformance.dsl;

/** The steps and expectations of one test, written against a {@link Ctx}. */
@FunctionalInterface
public interface TestBody {
    void run(Ctx ctx) throws Exception;
}
