package io.jvmm.core;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;

/**
 * A Linux {@code eventfd(2)} counter: one thread {@link #signal}s it, another waits for it. KVM
 * takes these as {@code KVM_IOEVENTFD} (the kernel signals it when the guest writes a doorbell,
 * without a vCPU exit) and {@code KVM_IRQFD} (signalling it injects an interrupt), api.rst 4.59
 * and 4.75; a device thread waits on several at once with {@link EventSet}.
 *
 * <p>Opened non-blocking and close-on-exec. {@link #close()} is idempotent; after it, every
 * other method but {@link #isClosed()} throws {@link ClosedException}. Close it only once no thread
 * can still be waiting on it (a VMM stops its device threads first). Thread-safe.
 */
public final class EventFd implements AsRawDescriptor, AutoCloseable {
    private final SafeDescriptor fd;
    /** The 8-byte counter buffer for read/write; one per eventfd, guarded by {@code this}. */
    private final Memory counter = new Memory(8);

    private EventFd(SafeDescriptor fd) {
        this.fd = fd;
    }

    /**
     * A new eventfd with the counter at 0.
     *
     * @return the eventfd, owned by the caller
     * @throws SyscallException {@code "eventfd"} with its errno, e.g. EMFILE, ENFILE, ENOMEM
     */
    public static EventFd create() {
        return new EventFd(new SafeDescriptor(LibC.eventfdChecked(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK)));
    }

    /**
     * {@return the eventfd's descriptor number, for {@code KVM_IOEVENTFD}/{@code KVM_IRQFD}; the
     * caller must not close it}
     *
     * @throws ClosedException after {@link #close()}
     */
    @Override
    public int asRawDescriptor() {
        return fd.asRawDescriptor();
    }

    /**
     * Adds 1 to the counter, waking a waiter.
     *
     * @throws ClosedException after {@link #close()}
     * @throws SyscallException {@code "write"} with its errno if write(2) fails other than with
     *     EAGAIN
     */
    public void signal() {
        add(1);
    }

    /**
     * Adds {@code value} to the counter, waking a waiter. When the sum would exceed 2^64 - 2 the
     * counter is left as it is (it is signalled already) and nothing is thrown.
     *
     * @param value the amount, taken as unsigned: 1 to 2^64 - 2, so any value but 0 and -1
     * @throws IllegalArgumentException if {@code value} is 0 or -1 (2^64 - 1)
     * @throws ClosedException after {@link #close()}
     * @throws SyscallException {@code "write"} with its errno if write(2) fails other than with
     *     EAGAIN
     */
    public synchronized void add(long value) {
        if (value == 0 || value == -1L) {
            throw new IllegalArgumentException("an eventfd cannot be incremented by " + Long.toUnsignedString(value));
        }
        counter.setLong(0, value);
        // EAGAIN only when the counter would overflow 2^64 - 2: then it is signalled already.
        try {
            LibC.writeChecked(fd.asRawDescriptor(), Pointer.nativeValue(counter), 8);
        } catch (SyscallException e) {
            if (e.errno() != Errno.EAGAIN) {
                throw e;
            }
        }
    }

    /**
     * Reads and resets the counter without blocking.
     *
     * @return the number of signals (the sum of the values added) since the last drain, as an
     *     unsigned value; 0 when none
     * @throws ClosedException after {@link #close()}
     * @throws SyscallException {@code "read"} with its errno if read(2) fails other than with
     *     EAGAIN
     */
    public synchronized long drain() {
        try {
            LibC.readChecked(fd.asRawDescriptor(), Pointer.nativeValue(counter), 8);
            return counter.getLong(0);
        } catch (SyscallException e) {
            if (e.errno() == Errno.EAGAIN) {
                return 0;
            }
            throw e;
        }
    }

    /** {@return whether {@link #close()} has been called} */
    public boolean isClosed() {
        return fd.isClosed();
    }

    /**
     * Closes the descriptor on the first call; later calls do nothing. It waits for an
     * {@link #add} or {@link #drain} in progress on another thread (each one non-blocking
     * syscall): closed between that call's check and its read(2) or write(2), the number could
     * already belong to another file, which would get the counter's 8 bytes written into it or
     * read out of it.
     *
     * @throws SyscallException {@code "close"} with its errno from the first call; the descriptor
     *     is released all the same
     */
    @Override
    public synchronized void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "EventFd[" + fd + "]";
    }
}
