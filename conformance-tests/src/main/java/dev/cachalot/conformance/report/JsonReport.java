package dev.cachalot.conformance.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.cachalot.conformance.RunReport;
import java.io.IOException;
import java.nio.file.Path;

/** Writes and reads the machine-readable report (one {@link RunReport} per file). */
public final class JsonReport {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonReport() {}

    public static void write(RunReport report, Path file) throws IOException {
        MAPPER.writeValue(file.toFile(), report);
    }

    public static RunReport read(Path file) throws IOException {
        return MAPPER.readValue(file.toFile(), RunReport.class);
    }

    public static String toJson(RunReport report) throws IOException {
        return MAPPER.writeValueAsString(report);
    }

    public static RunReport fromJson(String json) throws IOException {
        return MAPPER.readValue(json, RunReport.class);
    }
}
