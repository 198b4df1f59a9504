package io.jvmm.core;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Owns one file descriptor and closes it exactly once, however many threads call
 * {@link #close()}. After close, {@link #asRawDescriptor()} throws {@link ClosedException}
 * rather than hand out a number the kernel may already have given to someone else. Thread-safe.
 */
public final class SafeDescriptor implements AsRawDescriptor, AutoCloseable {
    private final AtomicInteger fd;

    /**
     * Takes ownership of {@code fd}, which must be non-negative.
     *
     * @param fd an open descriptor, which from now on only this object closes
     * @throws IllegalArgumentException if {@code fd} is negative
     */
    public SafeDescriptor(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("invalid descriptor " + fd);
        }
        this.fd = new AtomicInteger(fd);
    }

    /**
     * Opens {@code path} with {@code O_CLOEXEC} added to {@code flags}, as open(2) with mode 0 (so
     * a file that {@link LibC#O_CREAT} creates has no permission bits).
     *
     * @param path  the file to open
     * @param flags the open(2) flags, e.g. {@link LibC#O_RDWR}
     * @return the owner of the new descriptor
     * @throws SyscallException {@code "open"} with its errno, e.g. ENOENT, EACCES, EMFILE
     */
    public static SafeDescriptor open(String path, int flags) {
        return new SafeDescriptor(LibC.openChecked(path, flags | LibC.O_CLOEXEC, 0));
    }

    /**
     * Duplicates {@code other} into a descriptor this object owns, as dup(2): the copy shares the
     * open file (offset, status flags) but not close-on-exec, which is clear on it.
     *
     * @param other the descriptor to duplicate; it stays open and owned by its owner
     * @return the owner of the new descriptor
     * @throws SyscallException {@code "dup"} with its errno, e.g. EMFILE, EBADF
     */
    public static SafeDescriptor duplicate(AsRawDescriptor other) {
        return new SafeDescriptor(LibC.dupChecked(other.asRawDescriptor()));
    }

    /**
     * {@return the descriptor number; the caller must not close it}
     *
     * @throws ClosedException after {@link #close()}
     */
    @Override
    public int asRawDescriptor() {
        int value = fd.get();
        if (value < 0) {
            throw new ClosedException("descriptor already closed");
        }
        return value;
    }

    /** {@return whether {@link #close()} has been called} */
    public boolean isClosed() {
        return fd.get() < 0;
    }

    /**
     * Closes the descriptor (close(2)) on the first call; later calls do nothing.
     *
     * @throws SyscallException {@code "close"} with its errno (e.g. EIO) from the first call; the
     *     descriptor is released all the same
     */
    @Override
    public void close() {
        int value = fd.getAndSet(-1);
        if (value >= 0) {
            LibC.closeChecked(value);
        }
    }

    @Override
    public String toString() {
        int value = fd.get();
        return value < 0 ? "SafeDescriptor[closed]" : "SafeDescriptor[" + value + "]";
    }
}
