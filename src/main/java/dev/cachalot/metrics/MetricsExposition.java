package dev.cachalot.metrics;

import java.io.IOException;
import java.io.Writer;

/** A scrape of every metric in one text exposition format (the admin {@code /metrics} endpoint writes it). */
public interface MetricsExposition {
    /** The Content-Type of the output, e.g. {@code text/plain; version=0.0.4; charset=utf-8}. */
    String contentType();

    /** Writes the current value of every metric. */
    void writeTo(Writer out) throws IOException;
}
