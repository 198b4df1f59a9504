package io.jvmm.devices;

import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A daemon thread that copies a host stream (typically stdin) into a {@link Uart16550}'s receiver,
 * waiting while the receiver is full, so host input is neither lost nor buffered without bound: at
 * most one read's worth ({@link #CHUNK_SIZE} bytes) waits here, the rest stays in the host stream.
 * It stops at end of stream, on a read error, or on {@link #close()}.
 *
 * <p>A thread blocked reading {@code System.in} cannot be interrupted; it is a daemon so it never
 * keeps the JVM alive, and input it reads after {@code close()} is dropped.
 */
public final class SerialInputPump implements AutoCloseable {
    /** Largest read from the host stream. */
    public static final int CHUNK_SIZE = 256;
    private static final Logger LOG = LoggerFactory.getLogger(SerialInputPump.class);

    private final Thread thread;
    private volatile boolean closed;

    private SerialInputPump(InputStream in, Uart16550 uart) {
        this.thread = new Thread(() -> pump(in, uart), "serial-input-" + uart.debugLabel());
        this.thread.setDaemon(true);
    }

    /**
     * Starts pumping {@code in} into {@code uart} on a new daemon thread named
     * {@code "serial-input-"} and the UART's label.
     *
     * @param in   the host stream; read until end of stream, not closed by the pump
     * @param uart the receiver the bytes go to
     * @return the running pump
     * @throws NullPointerException if {@code in} or {@code uart} is null
     */
    public static SerialInputPump start(InputStream in, Uart16550 uart) {
        SerialInputPump pump = new SerialInputPump(Objects.requireNonNull(in, "in"), Objects.requireNonNull(uart, "uart"));
        pump.thread.start();
        return pump;
    }

    private void pump(InputStream in, Uart16550 uart) {
        byte[] chunk = new byte[CHUNK_SIZE];
        try {
            int n;
            while (!closed && (n = in.read(chunk)) >= 0) {
                if (!closed) {
                    uart.enqueueInputBlocking(chunk, 0, n);
                }
            }
        } catch (InterruptedException e) {
            // close(): stop quietly.
        } catch (IOException e) {
            if (!closed) {
                LOG.warn("{}: reading host input failed, no more input reaches the guest: {}", uart.debugLabel(), e.toString());
            }
        } catch (RuntimeException e) {
            // Raising the receive interrupt after the machine closed its VM under this thread
            // (the line then throws): the pump ends like on close(), without an uncaught exception.
            if (!closed) {
                LOG.warn("{}: delivering host input failed, no more input reaches the guest: {}", uart.debugLabel(), e.toString());
            }
        }
    }

    /** {@return whether the pump thread is still running} */
    public boolean isAlive() {
        return thread.isAlive();
    }

    /**
     * Waits up to {@code millis} for the pump to end (at end of stream, on a read error, or after
     * close), as {@link Thread#join(long)}.
     *
     * @param millis the longest wait in milliseconds; 0 waits without limit
     * @return whether the pump thread has ended
     * @throws IllegalArgumentException if {@code millis} is negative
     * @throws InterruptedException if the calling thread is interrupted while waiting
     */
    public boolean awaitEnd(long millis) throws InterruptedException {
        thread.join(millis);
        return !thread.isAlive();
    }

    /** Stops pumping; a delivery waiting for receiver room is abandoned. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
