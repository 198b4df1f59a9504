package io.jvmm.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;

/**
 * The guest console's stream as the UART sees it: writes that fail are not thrown back into the
 * device model (the guest could not be told anyway) but recorded, the run is stopped through
 * {@link #onFailure}, and later output is dropped. {@code jvmm run} then reports the first
 * failure as its error (docs/cli.md, exit code 1).
 */
final class ConsoleStream extends OutputStream {
    private final OutputStream out;
    private volatile IOException failure;
    private volatile Runnable onFailure = () -> { };

    ConsoleStream(OutputStream out) {
        this.out = out;
    }

    /** Runs {@code action} at the first failed write (at once, if one happened already). */
    void onFailure(Runnable action) {
        onFailure = action;
        if (failure != null) {
            action.run();
        }
    }

    /** The first write or flush that failed. */
    Optional<IOException> failure() {
        return Optional.ofNullable(failure);
    }

    @Override
    public void write(int b) {
        if (failure == null) {
            try {
                out.write(b);
            } catch (IOException e) {
                failed(e);
            }
        }
    }

    @Override
    public void write(byte[] b, int off, int len) {
        if (failure == null) {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                failed(e);
            }
        }
    }

    @Override
    public void flush() {
        if (failure == null) {
            try {
                out.flush();
            } catch (IOException e) {
                failed(e);
            }
        }
    }

    /** Closes the underlying stream; a failure to close (lost buffered data) is thrown. */
    @Override
    public void close() throws IOException {
        try {
            out.close();
        } catch (IOException e) {
            if (failure == null) {
                throw e;
            }
        }
    }

    private void failed(IOException e) {
        failure = e;
        onFailure.run();
    }
}
