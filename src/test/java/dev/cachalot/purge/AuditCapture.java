package dev.cachalot.purge;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Captures the lines of the audit logger while open (the test logback config is WARN-only). */
final class AuditCapture implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger(PurgeService.AUDIT_LOGGER);
    private final Level previous = logger.getLevel();
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    AuditCapture() {
        appender.start();
        logger.setLevel(Level.INFO);
        logger.addAppender(appender);
    }

    /** The formatted lines captured so far. */
    List<String> lines() {
        synchronized (appender.list) {
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        logger.setLevel(previous);
        appender.stop();
    }
}
