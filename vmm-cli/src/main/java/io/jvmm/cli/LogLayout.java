package io.jvmm.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * One line per log message: {@code 12:34:56.789 WARN  [vcpu-0] Uart16550: message}. A logged
 * exception stays on that line as {@code (Type: message)}; its stack trace follows only with
 * {@code -v} (when the {@code io.jvmm} logger is at DEBUG).
 */
public final class LogLayout extends LayoutBase<ILoggingEvent> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder sb = new StringBuilder(128)
            .append(TIME.format(Instant.ofEpochMilli(event.getTimeStamp())))
            .append(' ').append(String.format("%-5s", event.getLevel()))
            .append(" [").append(event.getThreadName()).append("] ")
            .append(simpleName(event.getLoggerName())).append(": ")
            .append(event.getFormattedMessage());
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            if (verbose()) {
                sb.append(System.lineSeparator()).append(ThrowableProxyUtil.asString(thrown).stripTrailing());
            } else {
                sb.append(" (").append(simpleName(thrown.getClassName()));
                if (thrown.getMessage() != null) {
                    sb.append(": ").append(Main.oneLine(thrown.getMessage()));
                }
                sb.append(')');
            }
        }
        return sb.append(System.lineSeparator()).toString();
    }

    private boolean verbose() {
        return getContext() instanceof LoggerContext lc && lc.getLogger("io.jvmm").isDebugEnabled();
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }
}
