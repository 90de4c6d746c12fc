package dev.cachalot.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A small, strict parser of the Prometheus text format 0.0.4 for tests: families from the
 * {@code # TYPE} lines and samples with their labels. Fails on any line it does not understand.
 */
public final class PromText {
    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {}

    public final Map<String, String> types = new LinkedHashMap<>();
    public final List<Sample> samples = new ArrayList<>();

    public static PromText parse(String text) {
        PromText p = new PromText();
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("# HELP ")) {
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.substring(7).split(" ");
                if (parts.length != 2 || p.types.put(parts[0], parts[1]) != null) {
                    throw new IllegalArgumentException("bad or duplicate TYPE line: " + line);
                }
                continue;
            }
            p.samples.add(sample(line));
        }
        return p;
    }

    private static Sample sample(String line) {
        int i = 0;
        while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
            i++;
        }
        String name = line.substring(0, i);
        if (!name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
            throw new IllegalArgumentException("bad metric name in: " + line);
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                String label = line.substring(i, eq);
                if (line.charAt(eq + 1) != '"') {
                    throw new IllegalArgumentException("unquoted label value in: " + line);
                }
                StringBuilder v = new StringBuilder();
                int j = eq + 2;
                for (; line.charAt(j) != '"'; j++) {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char n = line.charAt(++j);
                        v.append(n == 'n' ? '\n' : n);
                    } else {
                        v.append(c);
                    }
                }
                labels.put(label, v.toString());
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
        }
        if (line.charAt(i) != ' ') {
            throw new IllegalArgumentException("no value in: " + line);
        }
        String value = line.substring(i + 1).trim();
        double d = switch (value) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(value);
        };
        return new Sample(name, labels, d);
    }

    /** The value of the sample with exactly these labels, if present. */
    public Optional<Double> value(String name, Map<String, String> labels) {
        return samples.stream().filter(s -> s.name.equals(name) && s.labels.equals(labels)).map(Sample::value)
                .findFirst();
    }

    /** The samples of one name. */
    public List<Sample> named(String name) {
        return samples.stream().filter(s -> s.name.equals(name)).toList();
    }
}
