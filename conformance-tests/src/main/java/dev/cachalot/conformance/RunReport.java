package dev.cachalot.conformance;

import dev.cachalot.conformance.dsl.Level;
import dev.cachalot.conformance.dsl.Outcome;
import dev.cachalot.conformance.dsl.TestResult;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The results of one suite run against one cache, as written to JSON and read back by {@code compare}.
 *
 * @param name label of the cache (e.g. "nginx 1.22.1")
 * @param cache URL of the cache under test
 * @param startedAt ISO-8601 start time
 * @param millis run duration
 * @param capabilities capabilities the cache claimed
 * @param results one result per test
 */
public record RunReport(String name, String cache, String startedAt, long millis, List<String> capabilities,
                        List<TestResult> results) {

    /** Counts of outcomes per level. */
    public Map<Level, Map<Outcome, Integer>> counts() {
        Map<Level, Map<Outcome, Integer>> m = new EnumMap<>(Level.class);
        for (Level l : Level.values()) {
            Map<Outcome, Integer> o = new EnumMap<>(Outcome.class);
            for (Outcome x : Outcome.values()) {
                o.put(x, 0);
            }
            m.put(l, o);
        }
        for (TestResult r : results) {
            m.get(r.level()).merge(r.outcome(), 1, Integer::sum);
        }
        return m;
    }

    /** Console summary: one line per level, then a total line "P passed, F failed". */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        int p = 0;
        int f = 0;
        int i = 0;
        int n = 0;
        for (Map.Entry<Level, Map<Outcome, Integer>> e : counts().entrySet()) {
            Map<Outcome, Integer> o = e.getValue();
            sb.append(String.format("  %-6s %4d passed, %4d failed, %4d inconclusive, %4d not applicable%n",
                    e.getKey(), o.get(Outcome.PASS), o.get(Outcome.FAIL), o.get(Outcome.INCONCLUSIVE),
                    o.get(Outcome.NOT_APPLICABLE)));
            p += o.get(Outcome.PASS);
            f += o.get(Outcome.FAIL);
            i += o.get(Outcome.INCONCLUSIVE);
            n += o.get(Outcome.NOT_APPLICABLE);
        }
        sb.append(String.format("%s: %d passed, %d failed, %d inconclusive, %d not applicable (%d tests, %.1f s)%n",
                name, p, f, i, n, results.size(), millis / 1000.0));
        return sb.toString();
    }
}
