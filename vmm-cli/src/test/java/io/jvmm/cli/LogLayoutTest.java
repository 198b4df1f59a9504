package io.jvmm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Log messages are one line; a stack trace appears only at DEBUG (-v). */
class LogLayoutTest {
    private final LoggerContext context = new LoggerContext();
    private final LogLayout layout = new LogLayout();

    LogLayoutTest() {
        // As the CLI configures it (LogConfigurator); a bare context would log everything at DEBUG.
        context.getLogger("io.jvmm").setLevel(Level.WARN);
        layout.setContext(context);
        layout.start();
    }

    private String format(Throwable thrown) {
        Logger logger = context.getLogger("io.jvmm.devices.Uart16550");
        LoggingEvent event = new LoggingEvent("fqcn", logger, Level.WARN, "serial output failed; dropping output", thrown, null);
        event.setThreadName("jvmm-vcpu-0");
        return layout.doLayout(event);
    }

    @Test
    void aMessageWithAnExceptionIsOneLine() {
        String line = format(new IOException("Broken pipe\nmore detail"));
        assertTrue(line.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  \\[jvmm-vcpu-0\\] Uart16550: serial output failed;"
            + " dropping output \\(IOException: Broken pipe\\)" + System.lineSeparator()), line);
        assertEquals(1, line.lines().count());
    }

    @Test
    void atDebugTheStackTraceFollows() {
        context.getLogger("io.jvmm").setLevel(Level.DEBUG);
        String text = format(new IOException("Broken pipe"));
        assertTrue(text.lines().count() > 2, text);
        assertTrue(text.contains("java.io.IOException: Broken pipe") && text.contains("\tat "), text);
    }

    @Test
    void theCliLogsThroughThisLayout() {
        LoggerContext cliContext = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = cliContext.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        var appender = (ch.qos.logback.core.OutputStreamAppender<?>) root.getAppender("STDERR");
        var encoder = (ch.qos.logback.core.encoder.LayoutWrappingEncoder<?>) appender.getEncoder();
        assertTrue(encoder.getLayout() instanceof LogLayout, encoder.getLayout()::toString);
        assertEquals(Level.WARN, cliContext.getLogger("io.jvmm").getLevel());
    }
}
