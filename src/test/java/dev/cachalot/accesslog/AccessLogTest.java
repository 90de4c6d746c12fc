package dev.cachalot.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.cachalot.metrics.ExchangeRecord;
import dev.cachalot.metrics.ProxyMetrics;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AccessLogTest {
    private static final ExchangeRecord R = new ExchangeRecord(Instant.parse("2026-11-25T17:05:35Z"), "id-9", "::1",
            "GET", "/x", "h", "HTTP/1.1", 304, 0, 0, 1_000_000, 500_000, "REVALIDATED", "main");

    private Logger logger;
    private ListAppender<ILoggingEvent> appender;

    @BeforeEach
    void isolatedLogger() {
        LoggerContext ctx = new LoggerContext();
        logger = ctx.getLogger(AccessLog.LOGGER_NAME);
        appender = new ListAppender<>();
        appender.setContext(ctx);
        appender.start();
        logger.addAppender(appender);
        logger.setLevel(Level.INFO);
    }

    @Test
    void writesOneInfoLinePerExchange() {
        AccessLog log = new AccessLog(AccessLogFormat.compile("%{status} %{outcome} %{requestId}"), logger);
        log.log(R);
        log.log(R);
        assertEquals(2, appender.list.size());
        assertEquals("304 REVALIDATED id-9", appender.list.get(0).getFormattedMessage());
        assertEquals(Level.INFO, appender.list.get(0).getLevel());
        assertEquals("cachalot.access", appender.list.get(0).getLoggerName());
    }

    @Test
    void silentWhenTheAccessLoggerIsOff() {
        logger.setLevel(Level.WARN);
        new AccessLog(AccessLogFormat.of("combined"), logger).log(R);
        assertTrue(appender.list.isEmpty());
    }

    @Test
    void aBadRecordIsDroppedNotThrown() {
        new AccessLog(AccessLogFormat.of("combined"), logger).log(null);
        assertTrue(appender.list.isEmpty());
    }

    @Test
    void andThenLogsAndForwardsEveryEvent() {
        List<String> events = new ArrayList<>();
        ProxyMetrics recorder = new ProxyMetrics() {
            @Override
            public void exchangeCompleted(ExchangeRecord record) {
                events.add("exchange " + record.requestId());
            }

            @Override
            public void originExchange(String route, int status, long nanos) {
                events.add("origin " + route + " " + status);
            }

            @Override
            public void rejected(String reason) {
                events.add("rejected " + reason);
            }

            @Override
            public void connectionOpened() {
                events.add("open");
            }

            @Override
            public void connectionClosed() {
                events.add("close");
            }
        };
        ProxyMetrics m = new AccessLog(AccessLogFormat.compile("%{requestId}"), logger).andThen(recorder);
        m.connectionOpened();
        m.rejected("overload");
        m.originExchange("main", 200, 5);
        m.exchangeCompleted(R);
        m.connectionClosed();
        assertEquals(List.of("open", "rejected overload", "origin main 200", "exchange id-9", "close"), events);
        assertEquals(1, appender.list.size());
        assertEquals("id-9", appender.list.get(0).getFormattedMessage());
    }
}
