package io.jvmm.devices;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The output half of a serial console: an {@link OutputStream} for a {@link Uart16550} that
 * hands the bytes to a daemon thread, which writes them to the host stream. A device model runs
 * on a vCPU thread and must not block without bound (docs/kvm.md, "Lifetimes"), but a host
 * stream can: a pipe whose reader stopped reading, a terminal on hold, a FIFO. With the pump the
 * vCPU thread only copies into a ring of {@link #CAPACITY} bytes; the write system calls happen
 * on the pump's thread.
 *
 * <p>Flow control: when the ring is full the writer waits for room, as a guest waits for a UART
 * whose line is slower than it, so output is never dropped while the host keeps reading, and a
 * host that stops reading for good stalls the guest's console, not the VMM. {@link #close()}
 * releases such a wait at once: what is not yet written then is dropped, so closing a machine
 * never waits for its console's reader.
 *
 * <p>The end of a run: flow control holds a writer only while a run wants its vCPUs to run. When
 * the run ends (its time limit, a stop, the guest's reset) the machine calls
 * {@link #suspendFlowControl()}: a writer waiting for room returns at once, and what does not fit
 * in the ring is kept beyond it (up to {@link #SPILL_LIMIT} bytes) and written after it, so a
 * stalled reader costs the run neither its deadline nor its output. The next run calls
 * {@link #resumeFlowControl()}. Only what passes the spill limit is dropped, counted by
 * {@link #droppedBytes()} and logged once.
 *
 * <p>Flushing: the pump flushes the host stream each time it has written everything it holds, so
 * {@link #flush()} (which the UART calls at every newline) does not wait, and
 * {@link #awaitWritten()} is the call that waits until the host stream has all the bytes, as a
 * machine does when a run ends.
 *
 * <p>Failure: the first {@link IOException} of the host stream is kept; later writes, flushes
 * and {@code awaitWritten} throw an {@code IOException} with it as the cause, and the bytes are
 * dropped. The pump logs the failure once, when it happens.
 *
 * <p>Thread safety: any number of writers; all state is guarded by this object's monitor, and
 * the host stream is used by the pump's thread only. The thread starts at the first write, so a
 * pump that is never written to never has one; it is a daemon and ends after {@code close()} or
 * a failure. A host write that never returns leaves it behind, like {@link SerialInputPump}'s
 * blocked read.
 */
public final class SerialOutputPump extends OutputStream {
    /** Bytes the ring holds: 64 KiB, over five seconds of a 115 200 baud line. */
    public static final int CAPACITY = 64 * 1024;
    /**
     * Bytes kept beyond the ring while flow control is suspended: 1 MiB. A vCPU whose run has ended
     * makes at most one more exit, whose UART flush is far smaller; the limit bounds the memory a
     * device model that keeps writing could take.
     */
    public static final int SPILL_LIMIT = 1 << 20;
    private static final Logger LOG = LoggerFactory.getLogger(SerialOutputPump.class);

    private final OutputStream out;
    private final Thread thread;
    private final byte[] ring = new byte[CAPACITY];
    /** Index of the oldest byte the pump has not yet written. */
    private int head;
    /** Bytes in the ring, from {@link #head} on (wrapping); those being written still count. */
    private int count;
    /** Bytes that follow the ring's (written after them), only while flow control is or was suspended. */
    private byte[] spill = new byte[0];
    private int spillLength;
    /** Whether a writer waits for room in a full ring ({@link #suspendFlowControl()}). */
    private boolean flowControl = true;
    private long dropped;
    /** Bytes accepted by {@code write} since creation (those in the spill too). */
    private long accepted;
    /** Bytes written to the host stream and flushed, since creation. */
    private long written;
    private boolean started;
    private boolean closed;
    private IOException failure;

    /**
     * A pump that writes to {@code out} on a daemon thread named {@code threadName}, started at
     * the first write.
     *
     * @param out the host stream; written and flushed only by the pump's thread, never closed
     * @param threadName the name of the pump's thread (e.g. {@code "serial-output-com1"})
     * @throws NullPointerException if {@code out} or {@code threadName} is null
     */
    public SerialOutputPump(OutputStream out, String threadName) {
        this.out = Objects.requireNonNull(out, "out");
        this.thread = new Thread(this::pump, Objects.requireNonNull(threadName, "threadName"));
        this.thread.setDaemon(true);
    }

    /**
     * Queues one byte, waiting while the ring is full; dropped after {@link #close()}.
     *
     * @throws IOException if the host stream failed earlier (the cause)
     * @throws InterruptedIOException if the calling thread is interrupted while waiting for room
     */
    @Override
    public synchronized void write(int b) throws IOException {
        awaitRoom();
        if (closed) {
            return;
        }
        if (count == CAPACITY || spillLength > 0) {
            spill(new byte[] {(byte) b}, 0, 1);
            return;
        }
        ring[(head + count) % CAPACITY] = (byte) b;
        count++;
        accepted++;
        notifyAll();
    }

    /**
     * Queues {@code len} bytes of {@code b} from {@code off} for the pump's thread, waiting while
     * the ring is full. After {@link #close()} the bytes are dropped without waiting.
     *
     * @throws IndexOutOfBoundsException if {@code off} and {@code len} do not lie within {@code b}
     * @throws IOException if the host stream failed earlier (the cause)
     * @throws InterruptedIOException if the calling thread is interrupted while waiting for room;
     *     its {@code bytesTransferred} says how many bytes were queued
     */
    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        int done = 0;
        while (done < len) {
            try {
                awaitRoom();
            } catch (InterruptedIOException e) {
                e.bytesTransferred = done;
                throw e;
            }
            if (closed) {
                return;
            }
            if (count == CAPACITY || spillLength > 0) {
                // Flow control is suspended: the rest follows the ring's bytes, in order.
                spill(b, off + done, len - done);
                return;
            }
            int tail = (head + count) % CAPACITY;
            int n = Math.min(len - done, Math.min(CAPACITY - count, CAPACITY - tail));
            System.arraycopy(b, off + done, ring, tail, n);
            count += n;
            accepted += n;
            done += n;
            notifyAll();
        }
    }

    /**
     * Does not wait: the pump flushes the host stream whenever it has caught up, so the bytes
     * written so far reach it without a further call. Use {@link #awaitWritten()} to wait.
     *
     * @throws IOException if the host stream failed earlier (the cause)
     */
    @Override
    public synchronized void flush() throws IOException {
        throwIfFailed();
    }

    /**
     * Waits until every byte written before this call has been written to the host stream and
     * flushed, or the pump is closed. Returns early, with the interrupt status set, if the calling
     * thread is interrupted.
     *
     * @throws IOException if the host stream failed (the cause), before or while waiting
     */
    public synchronized void awaitWritten() throws IOException {
        awaitWritten(Long.MAX_VALUE);
    }

    /**
     * As {@link #awaitWritten()}, waiting at most {@code limit}: for a caller with a deadline
     * whose console's reader may have stopped reading.
     *
     * @param limit the longest wait; zero or negative does not wait
     * @return whether the host stream has every byte written before this call (or the pump is
     *     closed); false when the limit passed first or the calling thread was interrupted (its
     *     interrupt status is then set)
     * @throws IOException if the host stream failed (the cause), before or while waiting
     * @throws NullPointerException if {@code limit} is null
     */
    public synchronized boolean awaitWritten(Duration limit) throws IOException {
        if (limit.isNegative()) {
            return awaitWritten(0);
        }
        long nanos;
        try {
            nanos = limit.toNanos();
        } catch (ArithmeticException beyondLong) {
            nanos = Long.MAX_VALUE; // past 292 years: no limit
        }
        return awaitWritten(nanos);
    }

    private boolean awaitWritten(long limitNanos) throws IOException {
        long target = accepted;
        long start = System.nanoTime();
        while (written < target && failure == null && !closed) {
            long left = limitNanos == Long.MAX_VALUE ? Long.MAX_VALUE : limitNanos - (System.nanoTime() - start);
            if (left <= 0) {
                return false;
            }
            try {
                if (left == Long.MAX_VALUE) {
                    wait();
                } else {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        throwIfFailed();
        return true;
    }

    /**
     * Ends flow control until {@link #resumeFlowControl()}: writers waiting for room return, and
     * writes no longer wait; what does not fit in the ring is kept after it (up to
     * {@link #SPILL_LIMIT} bytes, the rest dropped and counted) and written in order once the ring
     * has room. For the end of a run, when nothing should hold a vCPU thread any longer. Safe from
     * any thread; idempotent.
     */
    public synchronized void suspendFlowControl() {
        flowControl = false;
        notifyAll();
    }

    /**
     * Writers wait for room again, as after creation; bytes kept beyond the ring by an earlier
     * {@link #suspendFlowControl()} are written first. For the start of a run. Idempotent.
     */
    public synchronized void resumeFlowControl() {
        flowControl = true;
    }

    /** {@return the bytes dropped since creation because the spill of a suspended flow control was full} */
    public synchronized long droppedBytes() {
        return dropped;
    }

    /**
     * Stops the pump: a writer waiting for room returns at once, later writes are dropped, and the
     * pump's thread ends after the host write in progress, if any, leaving the rest of the ring
     * unwritten. Does not wait and does not close the host stream. Idempotent.
     */
    @Override
    public synchronized void close() {
        closed = true;
        notifyAll();
    }

    /** {@return whether the pump's thread is running: started by a write, not yet ended} */
    public boolean isAlive() {
        return thread.isAlive();
    }

    /** Waits while the ring is full and the pump open; starts the thread at the first write. */
    private void awaitRoom() throws IOException {
        throwIfFailed();
        if (!started && !closed) {
            started = true;
            thread.start();
        }
        // Bytes in the spill come before any new ones: a writer under flow control waits for them too.
        while ((count == CAPACITY || spillLength > 0) && flowControl && !closed && failure == null) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for room in the console output ("
                    + CAPACITY + " bytes not yet written by " + thread.getName() + ")");
            }
        }
        throwIfFailed();
    }

    /** Keeps {@code len} bytes after the ring's (flow control is suspended), up to {@link #SPILL_LIMIT}. */
    private void spill(byte[] b, int off, int len) {
        int n = Math.min(len, SPILL_LIMIT - spillLength);
        if (n > 0) {
            if (spillLength + n > spill.length) {
                spill = Arrays.copyOf(spill, Math.min(SPILL_LIMIT, Math.max(spillLength + n, 2 * spill.length)));
            }
            System.arraycopy(b, off, spill, spillLength, n);
            spillLength += n;
            accepted += n;
            notifyAll();
        }
        if (n < len) {
            if (dropped == 0) {
                LOG.warn("{}: the console's host stream stopped reading after the run ended; output past {} bytes is dropped",
                    thread.getName(), CAPACITY + SPILL_LIMIT);
            }
            dropped += len - n;
        }
    }

    /** Moves what the spill holds into the ring's free part, in order (the pump's thread, lock held). */
    private void refillFromSpill() {
        int moved = 0;
        while (spillLength - moved > 0 && count < CAPACITY) {
            int tail = (head + count) % CAPACITY;
            int n = Math.min(spillLength - moved, Math.min(CAPACITY - count, CAPACITY - tail));
            System.arraycopy(spill, moved, ring, tail, n);
            count += n;
            moved += n;
        }
        if (moved > 0) {
            spillLength -= moved;
            System.arraycopy(spill, moved, spill, 0, spillLength);
            if (spillLength == 0) {
                spill = new byte[0];
            }
        }
    }

    private void throwIfFailed() throws IOException {
        if (failure != null) {
            throw new IOException("the console's host stream failed: " + failure.getMessage(), failure);
        }
    }

    private void pump() {
        try {
            while (true) {
                int start;
                int n;
                synchronized (this) {
                    while (count == 0 && !closed) {
                        wait();
                    }
                    if (closed) {
                        return;
                    }
                    start = head;
                    n = Math.min(count, CAPACITY - head);
                }
                // Outside the lock: writers fill only the free part of the ring, never [start, start + n).
                out.write(ring, start, n);
                boolean caughtUp;
                synchronized (this) {
                    head = (head + n) % CAPACITY;
                    count -= n;
                    refillFromSpill();
                    caughtUp = count == 0;
                    notifyAll();
                }
                if (caughtUp) {
                    out.flush();
                    synchronized (this) {
                        // Only this thread empties the ring: every byte accepted and no longer in it
                        // was written before the flush.
                        written = accepted - count - spillLength;
                        notifyAll();
                    }
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            IOException cause = e instanceof IOException io ? io : new IOException(e.toString(), e);
            synchronized (this) {
                if (!closed) {
                    failure = cause;
                    LOG.warn("{}: writing the console to the host failed; its further output is dropped: {}",
                        thread.getName(), e.toString());
                }
                // Writers waiting for room and awaitWritten must not wait for a thread that has ended.
                notifyAll();
            }
            if (e instanceof Error error) {
                throw error;
            }
        } catch (InterruptedException e) {
            // Nothing interrupts this private thread; end as on close.
        }
    }
}
