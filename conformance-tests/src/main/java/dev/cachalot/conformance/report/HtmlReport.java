package dev.cachalot.conformance.report;

import dev.cachalot.conformance.RunReport;
import dev.cachalot.conformance.dsl.Level;
import dev.cachalot.conformance.dsl.Outcome;
import dev.cachalot.conformance.dsl.TestResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes the self-contained HTML report (inline CSS and script, no external assets): a summary per cache by
 * level, then the tests grouped by spec section with the result of each cache side by side and, on click, the
 * requirement, the failure reasons and the exchange transcripts.
 */
public final class HtmlReport {
    private static final List<String> RFC_ORDER = List.of("9111", "5861", "9211", "9213", "9110", "9112");
    private static final Map<String, String> TITLES = new LinkedHashMap<>();

    static {
        String[][] t = {
            {"9111 §1.2", "Syntax notation (delta-seconds)"}, {"9111 §2", "Cache keys"},
            {"9111 §3", "Storing responses"}, {"9111 §3.1", "Storing header fields"},
            {"9111 §3.2", "Updating stored header fields"}, {"9111 §3.3", "Storing incomplete responses"},
            {"9111 §3.4", "Combining partial content"}, {"9111 §3.5", "Storing responses to authenticated requests"},
            {"9111 §4", "Constructing responses from caches"}, {"9111 §4.1", "Calculating cache keys with Vary"},
            {"9111 §4.2", "Freshness"}, {"9111 §4.3", "Validation"}, {"9111 §4.4", "Invalidating stored responses"},
            {"9111 §5.1", "Age"}, {"9111 §5.2", "Cache-Control"}, {"9111 §5.3", "Expires"}, {"9111 §5.4", "Pragma"},
            {"5861 §3", "stale-while-revalidate"}, {"5861 §4", "stale-if-error"},
            {"9211 §2", "Cache-Status"}, {"9213 §2", "CDN-Cache-Control (targeted fields)"},
            {"9110 §5.5", "Field values"}, {"9110 §6.4", "Content"}, {"9110 §6.6", "Message metadata (Date)"},
            {"9110 §7.6", "Message forwarding (Connection, Max-Forwards, Via)"}, {"9110 §7.7", "Message transformations"},
            {"9110 §9.3", "Method definitions"}, {"9110 §11.7", "Proxy authentication"},
            {"9110 §13.1", "Preconditions"}, {"9110 §14.1", "Range units"}, {"9110 §14.2", "Range requests"},
            {"9110 §15.2", "Informational 1xx"}, {"9110 §15.4", "Redirection 3xx (304)"},
            {"9110 §15.5", "Client error 4xx (416)"},
            {"9112 §2.2", "Message parsing"}, {"9112 §3.2", "Request target and Host"},
            {"9112 §5.1", "Field line parsing"}, {"9112 §5.2", "Obsolete line folding"},
            {"9112 §6.1", "Transfer-Encoding"}, {"9112 §6.3", "Message body length"}, {"9112 §7", "Transfer codings"},
            {"9112 §7.1", "Chunked transfer coding"}, {"9112 §8", "Handling incomplete messages"},
            {"9112 §9.3", "Persistence and pipelining"}, {"9112 §11.2", "Request smuggling"},
        };
        for (String[] x : t) {
            TITLES.put(x[0], x[1]);
        }
    }

    private HtmlReport() {}

    public static void write(List<RunReport> runs, Path file) throws IOException {
        Files.writeString(file, render(runs), StandardCharsets.UTF_8);
    }

    /** Renders the page for one or more runs (one result column per run). */
    public static String render(List<RunReport> runs) {
        // Collect tests in first-seen order, keyed by id; group by section.
        Map<String, TestResult> tests = new LinkedHashMap<>();
        for (RunReport r : runs) {
            for (TestResult t : r.results()) {
                tests.putIfAbsent(t.id(), t);
            }
        }
        Map<String, List<TestResult>> groups = new TreeMap<>(HtmlReport::compareGroups);
        for (TestResult t : tests.values()) {
            groups.computeIfAbsent(group(t.anchor()), k -> new ArrayList<>()).add(t);
        }
        List<Map<String, TestResult>> byRun = new ArrayList<>();
        for (RunReport r : runs) {
            Map<String, TestResult> m = new LinkedHashMap<>();
            for (TestResult t : r.results()) {
                m.put(t.id(), t);
            }
            byRun.add(m);
        }

        StringBuilder h = new StringBuilder(256 * 1024);
        h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>HTTP cache conformance</title><style>").append(CSS).append("</style></head><body>");
        h.append("<header><h1>HTTP cache conformance</h1><p class=\"sub\">")
                .append(tests.size()).append(" tests from RFC 9111, 9110, 9112, 5861, 9211 and 9213 &middot; judged by the ")
                .append("origin's request count &middot; ").append(esc(runs.isEmpty() ? "" : runs.get(0).startedAt()))
                .append("</p></header><main>");

        // Summary table.
        h.append("<section class=\"summary\"><table><thead><tr><th>Cache</th>");
        for (Level l : Level.values()) {
            h.append("<th><span class=\"lvl ").append(l).append("\">").append(l).append("</span></th>");
        }
        h.append("<th>Run</th></tr></thead><tbody>");
        for (RunReport r : runs) {
            Map<Level, Map<Outcome, Integer>> c = r.counts();
            h.append("<tr><td class=\"cache\"><b>").append(esc(r.name())).append("</b><br><small>")
                    .append(esc(r.cache())).append(r.capabilities().isEmpty() ? "" : " &middot; " + esc(String.join(", ",
                            r.capabilities()))).append("</small></td>");
            for (Level l : Level.values()) {
                Map<Outcome, Integer> o = c.get(l);
                int p = o.get(Outcome.PASS);
                int f = o.get(Outcome.FAIL);
                int i = o.get(Outcome.INCONCLUSIVE);
                int n = o.get(Outcome.NOT_APPLICABLE);
                int judged = p + f;
                int pct = judged == 0 ? 0 : Math.round(100f * p / judged);
                h.append("<td><div class=\"score\"><b>").append(p).append("</b>/").append(judged)
                        .append("</div><div class=\"bar\"><i style=\"width:").append(pct).append("%\"></i></div><small>")
                        .append(f).append(" failed");
                if (i > 0) {
                    h.append(", ").append(i).append(" inconclusive");
                }
                if (n > 0) {
                    h.append(", ").append(n).append(" n/a");
                }
                h.append("</small></td>");
            }
            h.append("<td><small>").append(String.format("%.1f s", r.millis() / 1000.0)).append("</small></td></tr>");
        }
        h.append("</tbody></table></section>");

        // Filters.
        h.append("<nav class=\"filters\"><span>Level:</span>");
        for (Level l : Level.values()) {
            h.append("<label><input type=\"checkbox\" class=\"flvl\" value=\"").append(l).append("\" checked> ")
                    .append(l).append("</label>");
        }
        h.append("<span>Show:</span><label><input type=\"radio\" name=\"fres\" value=\"all\" checked> all</label>")
                .append("<label><input type=\"radio\" name=\"fres\" value=\"fail\"> with a failure</label>");
        if (runs.size() > 1) {
            h.append("<label><input type=\"radio\" name=\"fres\" value=\"diff\"> caches differ</label>");
        }
        h.append("<input type=\"search\" id=\"fq\" placeholder=\"filter by id or title\"></nav>");

        // Sections.
        for (Map.Entry<String, List<TestResult>> g : groups.entrySet()) {
            String key = g.getKey();
            String title = TITLES.getOrDefault(key, "");
            h.append("<section class=\"group\"><h2><span class=\"rfc\">RFC ").append(esc(key)).append("</span> ")
                    .append(esc(title)).append("</h2><table class=\"tests\"><thead><tr><th class=\"tcol\">Requirement</th>")
                    .append("<th>Level</th>");
            for (RunReport r : runs) {
                h.append("<th class=\"rcol\">").append(esc(r.name())).append("</th>");
            }
            h.append("</tr></thead>");
            for (TestResult t : g.getValue()) {
                boolean anyFail = false;
                java.util.Set<Outcome> seen = java.util.EnumSet.noneOf(Outcome.class);
                for (Map<String, TestResult> m : byRun) {
                    TestResult x = m.get(t.id());
                    if (x != null) {
                        anyFail |= x.outcome() == Outcome.FAIL;
                        seen.add(x.outcome());
                    }
                }
                h.append("<tbody class=\"test\" data-level=\"").append(t.level()).append("\" data-fail=\"")
                        .append(anyFail).append("\" data-diff=\"").append(seen.size() > 1).append("\" data-q=\"")
                        .append(esc((t.id() + " " + t.title()).toLowerCase(java.util.Locale.ROOT))).append("\">");
                h.append("<tr class=\"row\"><td class=\"tcol\"><span class=\"caret\">&#9656;</span> ")
                        .append(esc(t.title())).append(" <code>").append(esc(t.id())).append("</code></td>")
                        .append("<td><span class=\"lvl ").append(t.level()).append("\">").append(t.level())
                        .append("</span></td>");
                for (Map<String, TestResult> m : byRun) {
                    TestResult x = m.get(t.id());
                    h.append("<td class=\"rcol\">");
                    if (x == null) {
                        h.append("<span class=\"res NONE\">&ndash;</span>");
                    } else {
                        h.append("<span class=\"res ").append(x.outcome()).append("\" title=\"")
                                .append(esc(x.reason())).append("\">").append(label(x.outcome())).append("</span>");
                        if (x.knownDeviation() != null && x.outcome() != Outcome.PASS) {
                            h.append(" <span class=\"kd\" title=\"").append(esc(x.knownDeviation()))
                                    .append("\">known</span>");
                        }
                    }
                    h.append("</td>");
                }
                h.append("</tr><tr class=\"detail\"><td colspan=\"").append(2 + runs.size()).append("\">")
                        .append("<p class=\"why\">").append(esc(t.rationale())).append(" <a href=\"")
                        .append(url(t.anchor())).append("\">").append(esc(t.anchor())).append("</a></p>");
                for (int i = 0; i < runs.size(); i++) {
                    TestResult x = byRun.get(i).get(t.id());
                    if (x == null) {
                        continue;
                    }
                    h.append("<div class=\"run\"><b>").append(esc(runs.get(i).name())).append("</b>: <span class=\"res ")
                            .append(x.outcome()).append("\">").append(label(x.outcome())).append("</span> ")
                            .append(esc(x.reason()));
                    if (x.knownDeviation() != null) {
                        h.append("<div class=\"kdline\">Known deviation: ").append(esc(x.knownDeviation())).append("</div>");
                    }
                    if (!x.transcript().isEmpty()) {
                        h.append("<pre>");
                        for (String line : x.transcript()) {
                            h.append(esc(line)).append('\n');
                        }
                        h.append("</pre>");
                    }
                    h.append("</div>");
                }
                h.append("</td></tr></tbody>");
            }
            h.append("</table></section>");
        }
        h.append("</main><footer>Generated by cachalot-conformance. Levels come from the RFC text (MUST, SHOULD, MAY); ")
                .append("INFO records behaviour the RFCs leave open. Inconclusive: the test's precondition did not hold ")
                .append("(e.g. the cache did not store a response it was allowed to). n/a: capability not claimed.</footer>");
        h.append("<script>").append(JS).append("</script></body></html>");
        return h.toString();
    }

    private static String label(Outcome o) {
        switch (o) {
            case PASS: return "pass";
            case FAIL: return "fail";
            case INCONCLUSIVE: return "inconclusive";
            default: return "n/a";
        }
    }

    /** Section group of an anchor: RFC number and the first two levels of the section, e.g. "9111 §4.2". */
    static String group(String anchor) {
        String rfc = anchor.substring(3, anchor.indexOf('#'));
        String[] parts = anchor.substring(anchor.indexOf("section-") + 8).split("\\.");
        String sec = parts.length == 1 ? parts[0] : parts[0] + "." + parts[1];
        if (rfc.equals("9211") || rfc.equals("9213")) {
            sec = parts[0];
        }
        return rfc + " §" + sec;
    }

    private static int compareGroups(String a, String b) {
        String ra = a.substring(0, a.indexOf(' '));
        String rb = b.substring(0, b.indexOf(' '));
        int c = Integer.compare(rank(ra), rank(rb));
        if (c != 0) {
            return c;
        }
        String[] sa = a.substring(a.indexOf('§') + 1).split("\\.");
        String[] sb = b.substring(b.indexOf('§') + 1).split("\\.");
        for (int i = 0; i < Math.max(sa.length, sb.length); i++) {
            int x = i < sa.length ? Integer.parseInt(sa[i]) : -1;
            int y = i < sb.length ? Integer.parseInt(sb[i]) : -1;
            if (x != y) {
                return Integer.compare(x, y);
            }
        }
        return 0;
    }

    private static int rank(String rfc) {
        int i = RFC_ORDER.indexOf(rfc);
        return i < 0 ? 99 : i;
    }

    private static String url(String anchor) {
        String rfc = anchor.substring(3, anchor.indexOf('#'));
        return "https://www.rfc-editor.org/rfc/rfc" + rfc + ".html#" + anchor.substring(anchor.indexOf('#') + 1);
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<': b.append("&lt;"); break;
                case '>': b.append("&gt;"); break;
                case '&': b.append("&amp;"); break;
                case '"': b.append("&quot;"); break;
                case '\'': b.append("&#39;"); break;
                default:
                    if (c < 32 && c != '\n' && c != '\t') {
                        b.append(String.format("\\x%02x", (int) c));
                    } else {
                        b.append(c);
                    }
            }
        }
        return b.toString();
    }

    private static final String CSS = String.join("\n",
            ":root{--pass:#1f8a4c;--fail:#c62828;--inc:#b7791f;--na:#8a94a6;--bg:#f6f7f9;--ink:#1c2430;--mut:#5b6576}",
            "*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;",
            "background:var(--bg);color:var(--ink)}header{background:#0f2a43;color:#fff;padding:22px 32px}",
            "header h1{margin:0;font-size:24px;font-weight:650}.sub{margin:4px 0 0;color:#b9c8d8}",
            "main{padding:20px 32px;max-width:1500px}footer{padding:16px 32px 40px;color:var(--mut);font-size:12px}",
            "table{border-collapse:collapse;width:100%}.summary table{background:#fff;border-radius:10px;overflow:hidden;",
            "box-shadow:0 1px 3px rgba(0,0,0,.08)}.summary th,.summary td{padding:10px 14px;text-align:left;",
            "border-bottom:1px solid #eceef2;vertical-align:top}.summary td.cache small{color:var(--mut)}",
            ".score{font-size:16px}.score b{font-size:20px}.bar{height:6px;background:#f1d4d4;border-radius:3px;",
            "margin:4px 0;width:120px}.bar i{display:block;height:6px;background:var(--pass);border-radius:3px}",
            ".summary small{color:var(--mut)}",
            ".filters{position:sticky;top:0;z-index:2;background:var(--bg);padding:12px 0;display:flex;gap:14px;",
            "align-items:center;flex-wrap:wrap;border-bottom:1px solid #e2e5ea;margin:14px 0}.filters span{font-weight:600}",
            ".filters input[type=search]{margin-left:auto;padding:6px 10px;border:1px solid #cfd5de;border-radius:6px;width:260px}",
            ".group{margin:22px 0}.group h2{font-size:17px;margin:0 0 8px;font-weight:650}",
            ".rfc{display:inline-block;background:#e3ebf5;color:#0f2a43;border-radius:5px;padding:1px 7px;font-size:13px;",
            "margin-right:4px}.tests{background:#fff;border-radius:10px;overflow:hidden;box-shadow:0 1px 3px rgba(0,0,0,.08)}",
            ".tests th{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--mut);text-align:left;",
            "padding:8px 12px;background:#fafbfc;border-bottom:1px solid #eceef2}.tests td{padding:7px 12px;",
            "border-bottom:1px solid #f0f1f4;vertical-align:top}.tcol{width:60%}.rcol{text-align:center;white-space:nowrap}",
            ".row{cursor:pointer}.row:hover{background:#f7f9fc}code{font-size:11.5px;color:var(--mut);background:#f3f4f7;",
            "padding:1px 5px;border-radius:4px;margin-left:4px}.caret{display:inline-block;color:var(--mut);transition:.15s}",
            ".open .caret{transform:rotate(90deg)}.detail{display:none}.open .detail{display:table-row}",
            ".detail td{background:#fbfcfd;padding:10px 16px}.why{margin:0 0 8px;color:#2c3848}.why a{color:#2563a8}",
            ".run{margin:8px 0}.run pre{background:#0f1722;color:#d5e1ee;padding:10px 12px;border-radius:6px;overflow:auto;",
            "font-size:12px;line-height:1.5;margin:6px 0 0;white-space:pre-wrap;word-break:break-all}",
            ".lvl{display:inline-block;font-size:11px;font-weight:700;border-radius:4px;padding:1px 7px;letter-spacing:.03em}",
            ".lvl.MUST{background:#fde2e1;color:#9b1c1c}.lvl.SHOULD{background:#fdf0d5;color:#8a5a00}",
            ".lvl.MAY{background:#dceefe;color:#1d4f91}.lvl.INFO{background:#eceef2;color:#4a5565}",
            ".res{display:inline-block;min-width:64px;text-align:center;font-size:12px;font-weight:650;border-radius:12px;",
            "padding:2px 10px;color:#fff}.res.PASS{background:var(--pass)}.res.FAIL{background:var(--fail)}",
            ".res.INCONCLUSIVE{background:var(--inc)}.res.NOT_APPLICABLE,.res.NONE{background:#dfe3ea;color:#5b6576}",
            ".kd{font-size:10px;background:#ede4ff;color:#5b2bb5;border-radius:4px;padding:1px 5px}",
            ".kdline{color:#5b2bb5;font-size:12px;margin-top:4px}.hidden{display:none}");

    private static final String JS = String.join("\n",
            "document.querySelectorAll('tbody.test .row').forEach(function(r){r.addEventListener('click',function(){",
            "r.parentNode.classList.toggle('open');});});",
            "function apply(){var lv={};document.querySelectorAll('.flvl').forEach(function(c){lv[c.value]=c.checked;});",
            "var res=document.querySelector('input[name=fres]:checked').value;var q=document.getElementById('fq').value.toLowerCase();",
            "document.querySelectorAll('tbody.test').forEach(function(t){var ok=lv[t.dataset.level]&&",
            "(res==='all'||(res==='fail'&&t.dataset.fail==='true')||(res==='diff'&&t.dataset.diff==='true'))&&",
            "(!q||t.dataset.q.indexOf(q)>=0);t.classList.toggle('hidden',!ok);});",
            "document.querySelectorAll('section.group').forEach(function(s){s.classList.toggle('hidden',",
            "!s.querySelector('tbody.test:not(.hidden)'));});}",
            "document.querySelectorAll('.filters input').forEach(function(i){i.addEventListener('input',apply);",
            "i.addEventListener('change',apply);});");
}
