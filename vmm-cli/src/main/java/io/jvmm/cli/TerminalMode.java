package io.jvmm.cli;

import io.jvmm.core.LibC;
import io.jvmm.core.SyscallException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A terminal put into raw input mode for an interactive guest console, and its old settings put
 * back on every way out: {@link #close()} on the normal paths, a shutdown hook for signals (a
 * {@code kill}, or the end of the JVM for any other reason). Raw input, as {@code cfmakeraw(3)}:
 * no line editing, no echo, and no signals from the keyboard, so Ctrl-C, Ctrl-Z and the arrow keys
 * reach the guest's shell, and the way out is the console's escape (Ctrl-A x, {@link ConsoleEscape}).
 * Output processing stays on ({@code OPOST | ONLCR}), as in QEMU's stdio console, so that text the
 * VMM itself prints still starts its lines at the left margin.
 */
final class TerminalMode implements AutoCloseable {
    private final int fd;
    private final byte[] saved;
    private final AtomicBoolean restored = new AtomicBoolean();
    private final Thread onExit;

    private TerminalMode(int fd, byte[] saved) {
        this.fd = fd;
        this.saved = saved;
        this.onExit = new Thread(this::restore, "jvmm-terminal-restore");
    }

    /**
     * Puts terminal {@code fd} into raw input mode; empty when {@code fd} is not a terminal (a
     * pipe or file: its bytes pass through unchanged) or its settings cannot be read.
     */
    static Optional<TerminalMode> rawIfTerminal(int fd) {
        if (fd < 0 || !LibC.isTerminal(fd)) {
            return Optional.empty();
        }
        byte[] saved;
        try {
            saved = LibC.tcgetattrChecked(fd);
        } catch (SyscallException e) {
            return Optional.empty();
        }
        byte[] raw = LibC.rawTermios(saved);
        int oflag = littleEndianInt(raw, LibC.TERMIOS_C_OFLAG) | LibC.OPOST | LibC.ONLCR;
        putLittleEndianInt(raw, LibC.TERMIOS_C_OFLAG, oflag);
        TerminalMode mode = new TerminalMode(fd, saved);
        Runtime.getRuntime().addShutdownHook(mode.onExit);
        LibC.tcsetattrChecked(fd, LibC.TCSANOW, raw);
        return Optional.of(mode);
    }

    /** Puts the old settings back. Idempotent. */
    @Override
    public void close() {
        restore();
        try {
            Runtime.getRuntime().removeShutdownHook(onExit);
        } catch (IllegalStateException shuttingDown) {
            // The hook runs or ran: the settings are back already.
        }
    }

    private void restore() {
        if (restored.compareAndSet(false, true)) {
            try {
                LibC.tcsetattrChecked(fd, LibC.TCSANOW, saved);
            } catch (SyscallException e) {
                // The terminal went away (hang-up): there is nothing left to restore.
            }
        }
    }

    static int littleEndianInt(byte[] b, int offset) {
        return (b[offset] & 0xff) | (b[offset + 1] & 0xff) << 8 | (b[offset + 2] & 0xff) << 16 | (b[offset + 3] & 0xff) << 24;
    }

    private static void putLittleEndianInt(byte[] b, int offset, int value) {
        for (int i = 0; i < 4; i++) {
            b[offset + i] = (byte) (value >>> (8 * i));
        }
    }
}
