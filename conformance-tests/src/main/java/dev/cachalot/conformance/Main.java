package dev.cachalot.conformance;

import dev.cachalot.conformance.dsl.Level;
import dev.cachalot.conformance.dsl.Outcome;
import dev.cachalot.conformance.dsl.TestCase;
import dev.cachalot.conformance.dsl.TestResult;
import dev.cachalot.conformance.origin.ScriptedOrigin;
import dev.cachalot.conformance.report.HtmlReport;
import dev.cachalot.conformance.report.JsonReport;
import dev.cachalot.conformance.report.MarkdownTable;
import dev.cachalot.conformance.suite.Catalog;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Command-line entry point of the conformance suite runner ({@code run}, {@code compare}, {@code list}). */
public final class Main {
    static final String USAGE = String.join("\n",
            "usage: cachalot-conformance --cache URL [--proxy URL] [--origin-port N] [--capabilities a,b]",
            "                            [--only REGEX] [--report-dir DIR] [--name LABEL]",
            "                            [--known-deviations FILE] [--restart-cmd CMD] [--threads N] [--strict]",
            "       cachalot-conformance compare --out FILE.html [--markdown FILE.md] RESULT.json...",
            "       cachalot-conformance list",
            "capabilities: reverse (always), forward-proxy, purge, persistence, cdn-cache-control",
            "--strict exits 1 when a MUST test fails or is inconclusive without a known-deviation entry.");

    private Main() {}

    public static void main(String[] args) throws Exception {
        int code;
        try {
            code = run(args, System.out);
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.err.println(USAGE);
            code = 2;
        }
        System.exit(code);
    }

    /** Runs the command line; returns the exit code. */
    public static int run(String[] args, PrintStream out) throws Exception {
        if (args.length > 0 && args[0].equals("compare")) {
            return compare(args, out);
        }
        if (args.length > 0 && args[0].equals("list")) {
            for (TestCase t : Catalog.all()) {
                out.printf("%-44s %-6s %-26s %s%n", t.id(), t.level(), t.anchor(), t.title());
            }
            return 0;
        }
        Options o = Options.parse(args);
        KnownDeviations kd = o.knownDeviations == null ? KnownDeviations.none() : KnownDeviations.load(o.knownDeviations);
        RunReport report;
        try (ScriptedOrigin origin = ScriptedOrigin.start(o.originPort)) {
            out.println("origin listening on 127.0.0.1:" + origin.port() + "; cache under test: " + o.cache);
            Runner runner = new Runner(origin, o.config(), kd);
            report = runner.run(Catalog.all());
        }
        Files.createDirectories(o.reportDir);
        String base = o.name.replaceAll("[^A-Za-z0-9._-]+", "-");
        Path json = o.reportDir.resolve(base + ".json");
        Path html = o.reportDir.resolve(base + ".html");
        JsonReport.write(report, json);
        HtmlReport.write(List.of(report), html);
        printFailures(report, out);
        out.print(report.summary());
        out.println("reports: " + html + " and " + json);
        return o.strict && !unexplainedMust(report).isEmpty() ? 1 : 0;
    }

    /** MUST tests that failed or were inconclusive and are not listed as known deviations. */
    public static List<TestResult> unexplainedMust(RunReport report) {
        List<TestResult> bad = new ArrayList<>();
        for (TestResult r : report.results()) {
            if (r.level() == Level.MUST && (r.outcome() == Outcome.FAIL || r.outcome() == Outcome.INCONCLUSIVE)
                    && r.knownDeviation() == null) {
                bad.add(r);
            }
        }
        return bad;
    }

    private static void printFailures(RunReport report, PrintStream out) {
        for (TestResult r : report.results()) {
            if (r.outcome() == Outcome.FAIL && (r.level() == Level.MUST || r.level() == Level.SHOULD)) {
                out.printf("FAIL %-6s %-40s %s%s%n", r.level(), r.id(), r.reason(),
                        r.knownDeviation() == null ? "" : "  [known deviation]");
            }
        }
    }

    private static int compare(String[] args, PrintStream out) throws IOException {
        Path outFile = null;
        Path markdown = null;
        List<RunReport> runs = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            if (args[i].equals("--out")) {
                outFile = Path.of(need(args, ++i, "--out"));
            } else if (args[i].equals("--markdown")) {
                markdown = Path.of(need(args, ++i, "--markdown"));
            } else {
                runs.add(JsonReport.read(Path.of(args[i])));
            }
        }
        if (outFile == null || runs.isEmpty()) {
            throw new IllegalArgumentException("compare needs --out FILE.html and at least one result JSON");
        }
        HtmlReport.write(runs, outFile);
        if (markdown != null) {
            Files.writeString(markdown, MarkdownTable.render(runs));
        }
        for (RunReport r : runs) {
            out.print(r.summary());
        }
        out.println("comparison: " + outFile);
        return 0;
    }

    private static String need(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }

    /** Parsed command-line options of a run. */
    static final class Options {
        URI cache;
        URI proxy;
        int originPort = 18080;
        Set<String> capabilities = new LinkedHashSet<>(List.of(Runner.REVERSE));
        String only;
        Path reportDir = Path.of("conformance-reports");
        String name;
        Path knownDeviations;
        String restartCmd;
        int threads = 48;
        boolean strict;

        static Options parse(String[] args) {
            Options o = new Options();
            Set<String> known = new HashSet<>(List.of("reverse", "forward-proxy", "purge", "persistence",
                    "cdn-cache-control"));
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--cache": o.cache = uri(need(args, ++i, a), a); break;
                    case "--proxy": o.proxy = uri(need(args, ++i, a), a); break;
                    case "--origin-port": o.originPort = port(need(args, ++i, a)); break;
                    case "--capabilities":
                        for (String c : need(args, ++i, a).split(",")) {
                            String cap = c.trim();
                            if (cap.isEmpty()) {
                                continue;
                            }
                            if (!known.contains(cap)) {
                                throw new IllegalArgumentException("unknown capability '" + cap + "' (known: " + known + ")");
                            }
                            o.capabilities.add(cap);
                        }
                        break;
                    case "--only": o.only = need(args, ++i, a); break;
                    case "--report-dir": o.reportDir = Path.of(need(args, ++i, a)); break;
                    case "--name": o.name = need(args, ++i, a); break;
                    case "--known-deviations": o.knownDeviations = Path.of(need(args, ++i, a)); break;
                    case "--restart-cmd": o.restartCmd = need(args, ++i, a); break;
                    case "--threads": o.threads = Integer.parseInt(need(args, ++i, a)); break;
                    case "--strict": o.strict = true; break;
                    default: throw new IllegalArgumentException("unknown argument '" + a + "'");
                }
            }
            if (o.cache == null) {
                throw new IllegalArgumentException("--cache URL is required");
            }
            if (o.name == null) {
                o.name = o.cache.getHost() + "-" + o.cache.getPort();
            }
            return o;
        }

        Runner.Config config() {
            URI p = proxy == null ? cache : proxy;
            return new Runner.Config(name, cache.getHost(), cache.getPort(), p.getHost(), p.getPort(), capabilities,
                    only, restartCmd, threads, 30_000);
        }

        private static URI uri(String s, String flag) {
            URI u;
            try {
                u = URI.create(s);
            } catch (IllegalArgumentException e) {
                u = URI.create("invalid:x");
            }
            if (!"http".equals(u.getScheme()) || u.getHost() == null || u.getPort() < 0) {
                throw new IllegalArgumentException(flag + " must look like http://127.0.0.1:PORT, got '" + s + "'");
            }
            return u;
        }

        private static int port(String s) {
            int p = Integer.parseInt(s);
            if (p < 0 || p > 65535) {
                throw new IllegalArgumentException("--origin-port must be 0..65535, got " + s);
            }
            return p;
        }
    }
}
