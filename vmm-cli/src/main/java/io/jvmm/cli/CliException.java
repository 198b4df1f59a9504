package io.jvmm.cli;

import io.jvmm.core.JvmmException;

/** An error to report as one line with a specific exit code (see {@link ExitCodes}). */
public final class CliException extends JvmmException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    /**
     * Creates an error without a cause.
     *
     * @param exitCode the exit status {@code jvmm} ends with, one of {@link ExitCodes}
     * @param message the one line shown after {@code jvmm: }
     */
    public CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    /**
     * Creates an error with the exception that caused it; {@code -v} prints its stack trace.
     *
     * @param exitCode the exit status {@code jvmm} ends with, one of {@link ExitCodes}
     * @param message the one line shown after {@code jvmm: }
     * @param cause the underlying failure, or {@code null}
     */
    public CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /** {@return the exit status {@code jvmm} ends with, one of {@link ExitCodes}} */
    public int exitCode() {
        return exitCode;
    }
}
