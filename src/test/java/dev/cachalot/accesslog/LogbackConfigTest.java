package dev.cachalot.accesslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.util.StatusPrinter2;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The shipped logback.xml loads without warnings and routes the access log as documented. */
class LogbackConfigTest {
    private static LoggerContext configure(String accessFile) throws Exception {
        LoggerContext ctx = new LoggerContext();
        ctx.setMDCAdapter(new LogbackMDCAdapter()); // as the SLF4J binding does for the real context
        if (accessFile != null) {
            ctx.putProperty("cachalot.access.file", accessFile);
        }
        JoranConfigurator jc = new JoranConfigurator();
        jc.setContext(ctx);
        URL config = LogbackConfigTest.class.getResource("/logback.xml");
        jc.doConfigure(config);
        int worst = ctx.getStatusManager().getCopyOfStatusList().stream().mapToInt(Status::getLevel).max().orElse(0);
        if (worst >= Status.WARN) {
            new StatusPrinter2().print(ctx);
        }
        assertTrue(worst < Status.WARN, "logback.xml produced warnings or errors (printed above)");
        return ctx;
    }

    private static Appender<?> accessTarget(LoggerContext ctx) {
        Logger access = ctx.getLogger(AccessLog.LOGGER_NAME);
        assertEquals(Level.INFO, access.getLevel());
        assertTrue(!access.isAdditive(), "access lines must not also go to the application log");
        AsyncAppender async = assertInstanceOf(AsyncAppender.class, access.getAppender("ACCESS"));
        return async.getAppender("ACCESS_OUT");
    }

    @Test
    void accessLogGoesAsynchronouslyToStdoutByDefault() throws Exception {
        LoggerContext ctx = configure(null);
        ConsoleAppender<?> out = assertInstanceOf(ConsoleAppender.class, accessTarget(ctx));
        assertEquals("System.out", out.getTarget());
        assertEquals(Level.WARN, ctx.getLogger("io.undertow").getLevel());
        assertEquals(Level.WARN, ctx.getLogger("org.xnio").getLevel());
        assertEquals(Level.WARN, ctx.getLogger("net.openhft").getLevel());
        assertEquals(Level.WARN, ctx.getLogger("org.apache.hc").getLevel());
        assertEquals(Level.INFO, ctx.getLogger(Logger.ROOT_LOGGER_NAME).getLevel());
        ctx.stop();
    }

    @Test
    void accessLogGoesToAFileWhenTheFilePropertyIsSet(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("access.log");
        LoggerContext ctx = configure(file.toString());
        FileAppender<?> out = assertInstanceOf(FileAppender.class, accessTarget(ctx));
        assertEquals(file.toString(), out.getFile());
        ctx.getLogger(AccessLog.LOGGER_NAME).info("one line");
        ctx.stop(); // drains the async queue
        assertEquals("one line" + System.lineSeparator(), Files.readString(file));
    }

    @Test
    void theTestRuntimeUsesLogbackAsTheSlf4jBinding() {
        assertInstanceOf(LoggerContext.class, LoggerFactory.getILoggerFactory());
    }
}
