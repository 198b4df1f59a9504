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
 * other method throws {@link IllegalStateException}. Close it only once no thread can still be
 * waiting on it (a VMM stops its device threads first).
 */
public final class EventFd implements AsRawDescriptor, AutoCloseable {
    private final SafeDescriptor fd;
    /** The 8-byte counter buffer for read/write; one per eventfd, guarded by {@code this}. */
    private final Memory counter = new Memory(8);

    private EventFd(SafeDescriptor fd) {
        this.fd = fd;
    }

    /** A new eventfd with the counter at 0. */
    public static EventFd create() {
        return new EventFd(new SafeDescriptor(LibC.eventfdChecked(0, LibC.EFD_CLOEXEC | LibC.EFD_NONBLOCK)));
    }

    @Override
    public int asRawDescriptor() {
        return fd.asRawDescriptor();
    }

    /** Adds 1 to the counter, waking a waiter. */
    public void signal() {
        add(1);
    }

    /** Adds {@code value} (1 to 2^64 - 2) to the counter. */
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

    /** Reads and resets the counter: the number of signals since the last drain, 0 when none. */
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

    public boolean isClosed() {
        return fd.isClosed();
    }

    @Override
    public void close() {
        fd.close();
    }

    @Override
    public String toString() {
        return "EventFd[" + fd + "]";
    }
}
