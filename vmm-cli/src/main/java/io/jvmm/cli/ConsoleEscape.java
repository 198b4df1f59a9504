package io.jvmm.cli;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;

/**
 * The keys of an interactive console, read from a terminal in raw mode before its bytes reach the
 * guest's UART. The escape character is Ctrl-A, as in QEMU's stdio console:
 * <ul>
 *   <li>Ctrl-A x: quit — the run stops, and {@code jvmm} exits 0;</li>
 *   <li>Ctrl-A Ctrl-A: a Ctrl-A for the guest;</li>
 *   <li>Ctrl-A h: this list, on stderr;</li>
 *   <li>Ctrl-A and any other key: nothing.</li>
 * </ul>
 * Every other byte passes through unchanged. After the quit the stream ends.
 */
final class ConsoleEscape extends FilterInputStream {
    static final int ESCAPE = 0x01;
    static final String HELP = "\r\njvmm console keys: Ctrl-A x quit, Ctrl-A Ctrl-A send Ctrl-A, Ctrl-A h this help\r\n";

    private final PrintStream help;
    private volatile Runnable onQuit = () -> { };
    private volatile boolean quit;
    private boolean escaped;

    ConsoleEscape(InputStream in, PrintStream help) {
        super(in);
        this.help = help;
    }

    /** What to do on Ctrl-A x (stop the machine); runs at once if the user quit already. */
    void onQuit(Runnable action) {
        onQuit = action;
        if (quit) {
            action.run();
        }
    }

    /** Whether the user typed Ctrl-A x. */
    boolean quitRequested() {
        return quit;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    /**
     * Reads what the terminal has and returns it without the escape sequences; blocks until at
     * least one byte for the guest is there, the stream ends, or the user quits.
     */
    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (!quit) {
            int n = in.read(b, off, len);
            if (n < 0) {
                return -1;
            }
            int kept = filter(b, off, n);
            if (kept > 0) {
                return kept;
            }
        }
        return -1;
    }

    /** Removes the escape sequences from {@code b[off, off + n)} in place; returns the bytes kept. */
    private int filter(byte[] b, int off, int n) {
        int kept = 0;
        for (int i = 0; i < n && !quit; i++) {
            int c = b[off + i] & 0xff;
            if (escaped) {
                escaped = false;
                if (c == ESCAPE) {
                    b[off + kept++] = (byte) ESCAPE;
                } else if (c == 'x' || c == 'X') {
                    quit = true;
                    onQuit.run();
                } else if (c == 'h' || c == 'H' || c == '?') {
                    help.print(HELP);
                    help.flush();
                }
            } else if (c == ESCAPE) {
                escaped = true;
            } else {
                b[off + kept++] = (byte) c;
            }
        }
        return kept;
    }
}
