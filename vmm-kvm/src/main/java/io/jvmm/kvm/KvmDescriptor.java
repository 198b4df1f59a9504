package io.jvmm.kvm;

import io.jvmm.core.ClosedException;
import io.jvmm.core.LibC;
import io.jvmm.core.SafeDescriptor;
import io.jvmm.kvm.sys.Ioctl;
import io.jvmm.kvm.sys.NativeStruct;
import java.lang.ref.Reference;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A KVM descriptor (system, VM or vCPU) whose ioctls cannot race with its close: every ioctl
 * holds the read lock, {@link #close()} takes the write lock. Without this, a close on one thread
 * could free the descriptor number between another thread's open-check and its ioctl, and the
 * kernel could hand that number to an unrelated file in between.
 */
final class KvmDescriptor implements AutoCloseable {
    private final SafeDescriptor fd;
    private final String owner;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** Guarded by the write lock; read under the read lock. */
    private boolean closed;

    KvmDescriptor(int fd, String owner) {
        this.fd = new SafeDescriptor(fd);
        this.owner = owner;
    }

    String owner() {
        return owner;
    }

    /**
     * Takes the read lock and returns the raw descriptor; the caller must {@link #release()}.
     *
     * @throws IllegalStateException when closed
     */
    int acquire() {
        lock.readLock().lock();
        if (closed) {
            lock.readLock().unlock();
            throw new ClosedException(owner + " is closed");
        }
        return fd.asRawDescriptor();
    }

    void release() {
        lock.readLock().unlock();
    }

    /** An ioctl with an integer argument; returns its non-negative result. */
    int ioctl(Ioctl ioctl, long arg, String context) {
        int raw = acquire();
        try {
            int r = LibC.ioctlErrno(raw, ioctl.request(), arg);
            if (r < 0) {
                throw new KvmException(ioctl.name(), -r, context.isEmpty() ? owner : owner + ", " + context);
            }
            return r;
        } finally {
            release();
        }
    }

    /** An ioctl whose argument is the address of {@code struct}. */
    int ioctl(Ioctl ioctl, NativeStruct struct, String context) {
        try {
            return ioctl(ioctl, struct.address(), context);
        } finally {
            Reference.reachabilityFence(struct);
        }
    }

    /** Like {@link #ioctl(Ioctl, long, String)} but returns {@code -errno} on failure. */
    int ioctlErrno(Ioctl ioctl, long arg) {
        int raw = acquire();
        try {
            return LibC.ioctlErrno(raw, ioctl.request(), arg);
        } finally {
            release();
        }
    }

    boolean isClosed() {
        lock.readLock().lock();
        try {
            return closed;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Waits for ioctls in flight, then closes the descriptor. Idempotent. */
    @Override
    public void close() {
        close(() -> { });
    }

    /**
     * Waits for ioctls in flight, runs {@code beforeClose} (once, with no ioctl in flight and none
     * able to start: the place to release memory the kernel writes through, like {@code kvm_run}),
     * then closes the descriptor. Idempotent.
     */
    void close(Runnable beforeClose) {
        lock.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                try {
                    beforeClose.run();
                } finally {
                    fd.close();
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }
}
