package dev.cachalot.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.conformance.dsl.Level;
import dev.cachalot.conformance.dsl.Outcome;
import dev.cachalot.conformance.dsl.TestResult;
import dev.cachalot.conformance.report.HtmlReport;
import dev.cachalot.conformance.report.JsonReport;
import java.util.List;
import org.junit.jupiter.api.Test;

/** JSON round trip, console summary and the HTML page. */
class ReportTest {
    private static TestResult result(String id, String anchor, Level level, Outcome o, String reason) {
        return new TestResult(id, "Title of " + id, anchor, level, "Because the RFC says so.", o, reason, null, 12,
                List.of("0.0s → GET /r  ⇐ 200 <b>"));
    }

    private final RunReport a = new RunReport("cache A", "http://127.0.0.1:1", "2026-11-25T00:00:00Z", 1500,
            List.of("reverse"), List.of(
                    result("store-max-age", "rfc9111#section-3", Level.MAY, Outcome.PASS, ""),
                    result("vary-mismatch", "rfc9111#section-4.1", Level.MUST, Outcome.FAIL, "served <the> wrong variant"),
                    result("swr-serves-stale", "rfc5861#section-3", Level.MAY, Outcome.NOT_APPLICABLE, "n/a"),
                    result("smuggle-cl-te", "rfc9112#section-11.2", Level.MUST, Outcome.PASS, "")));
    private final RunReport b = new RunReport("cache B", "http://127.0.0.1:2", "2026-11-25T00:00:00Z", 900,
            List.of("reverse"), List.of(
                    result("store-max-age", "rfc9111#section-3", Level.MAY, Outcome.FAIL, "not stored"),
                    result("vary-mismatch", "rfc9111#section-4.1", Level.MUST, Outcome.PASS, "")));

    @Test
    void jsonRoundTrips() throws Exception {
        RunReport back = JsonReport.fromJson(JsonReport.toJson(a));
        assertEquals(a.name(), back.name());
        assertEquals(a.results().size(), back.results().size());
        assertEquals(Outcome.FAIL, back.results().get(1).outcome());
        assertEquals(a.results().get(1).transcript(), back.results().get(1).transcript());
    }

    @Test
    void summaryCountsByLevelAndEndsWithTheTotalLine() {
        String s = a.summary();
        assertTrue(s.contains("MUST      1 passed,    1 failed"), s);
        assertTrue(s.contains("MAY       1 passed,    0 failed,    0 inconclusive,    1 not applicable"), s);
        assertTrue(s.contains("cache A: 2 passed, 1 failed, 0 inconclusive, 1 not applicable (4 tests, 1.5 s)"), s);
    }

    @Test
    void htmlGroupsBySectionInRfcOrderWithOneColumnPerCache() {
        String html = HtmlReport.render(List.of(a, b));
        int s3 = html.indexOf("RFC 9111 §3<");
        int s41 = html.indexOf("RFC 9111 §4.1<");
        int r5861 = html.indexOf("RFC 5861 §3<");
        int r9112 = html.indexOf("RFC 9112 §11.2<");
        assertTrue(s3 > 0 && s3 < s41 && s41 < r5861 && r5861 < r9112, "sections out of order");
        assertTrue(html.contains("<th class=\"rcol\">cache A</th><th class=\"rcol\">cache B</th>"));
        assertTrue(html.contains("served &lt;the&gt; wrong variant"), "reasons are escaped");
        assertFalse(html.contains("<the>"));
        assertTrue(html.contains("data-diff=\"true\""), "tests where caches differ are marked for the filter");
        assertFalse(html.contains("<link") || html.contains("src=\"http"), "the page is self-contained");
    }

    @Test
    void markdownTableShowsPassedOverJudgedPerLevel() {
        String md = dev.cachalot.conformance.report.MarkdownTable.render(List.of(a, b));
        assertTrue(md.contains("| cache A | 1 / 2 | 0 / 0 | 1 / 1 | 0 / 0 | 0 | 1 | 1.5 s |"), md);
        assertTrue(md.contains("| cache B | 1 / 1 | 0 / 0 | 0 / 1 |"), md);
    }

    @Test
    void sectionGroupingUsesTwoLevels() {
        String html = HtmlReport.render(List.of(new RunReport("c", "u", "t", 0, List.of(), List.of(
                result("x-a", "rfc9111#section-4.2.1", Level.MUST, Outcome.PASS, ""),
                result("x-b", "rfc9111#section-4.2.4", Level.MUST, Outcome.PASS, "")))));
        assertEquals(1, html.split("RFC 9111 §4.2<", -1).length - 1);
        assertTrue(html.contains("Freshness"));
    }
}
