package dev.cachalot.conformance.report;

import dev.cachalot.conformance.RunReport;
import dev.cachalot.conformance.dsl.Level;
import dev.cachalot.conformance.dsl.Outcome;
import java.util.List;
import java.util.Map;

/** The comparison as a Markdown table (passed/judged per level), for docs/conformance.md. */
public final class MarkdownTable {
    private MarkdownTable() {}

    public static String render(List<RunReport> runs) {
        StringBuilder sb = new StringBuilder();
        sb.append("| Cache | MUST | SHOULD | MAY | INFO | inconclusive | n/a | run time |\n");
        sb.append("|---|---|---|---|---|---|---|---|\n");
        for (RunReport r : runs) {
            Map<Level, Map<Outcome, Integer>> c = r.counts();
            int inc = 0;
            int na = 0;
            sb.append("| ").append(r.name());
            for (Level l : Level.values()) {
                Map<Outcome, Integer> o = c.get(l);
                int p = o.get(Outcome.PASS);
                sb.append(" | ").append(p).append(" / ").append(p + o.get(Outcome.FAIL));
                inc += o.get(Outcome.INCONCLUSIVE);
                na += o.get(Outcome.NOT_APPLICABLE);
            }
            sb.append(" | ").append(inc).append(" | ").append(na).append(" | ")
                    .append(String.format("%.1f s", r.millis() / 1000.0)).append(" |\n");
        }
        return sb.toString();
    }
}
