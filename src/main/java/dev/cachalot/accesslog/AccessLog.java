package dev.cachalot.accesslog;

import dev.cachalot.metrics.ExchangeRecord;
import dev.cachalot.metrics.ProxyMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The access log: one line per completed exchange, written at INFO to the SLF4J logger
 * {@value #LOGGER_NAME} (logback.xml sends it through an async appender to stdout or a file). The
 * line is built in a per-thread buffer; formatting or logging failures never reach the request.
 */
public final class AccessLog {
    /** The logger every access log line goes to. */
    public static final String LOGGER_NAME = "cachalot.access";

    private static final ThreadLocal<StringBuilder> BUFFER = ThreadLocal.withInitial(() -> new StringBuilder(512));

    private final AccessLogFormat format;
    private final Logger logger;

    /** An access log in the given format, to the {@value #LOGGER_NAME} logger. */
    public AccessLog(AccessLogFormat format) {
        this(format, LoggerFactory.getLogger(LOGGER_NAME));
    }

    AccessLog(AccessLogFormat format, Logger logger) {
        this.format = format;
        this.logger = logger;
    }

    /** Logs one exchange when the access logger is enabled at INFO. */
    public void log(ExchangeRecord record) {
        if (!logger.isInfoEnabled()) {
            return;
        }
        try {
            StringBuilder sb = BUFFER.get();
            sb.setLength(0);
            format.formatTo(record, sb);
            logger.info(sb.toString());
            if (sb.capacity() > 16 * 1024) {
                BUFFER.remove(); // one huge target must not pin a big buffer on every thread
            }
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(AccessLog.class).debug("access log line dropped", e);
        }
    }

    /** The format in use. */
    public AccessLogFormat format() {
        return format;
    }

    /**
     * A {@link ProxyMetrics} that writes the access log line and then passes every event on to
     * {@code next}: the one object the front end needs to feed both from the same record.
     */
    public ProxyMetrics andThen(ProxyMetrics next) {
        return new AccessLoggingMetrics(this, next);
    }
}
