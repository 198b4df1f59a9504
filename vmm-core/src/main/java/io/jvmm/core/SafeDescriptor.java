package io.jvmm.core;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Owns one file descriptor and closes it exactly once, however many threads call
 * {@link #close()}. After close, {@link #asRawDescriptor()} throws {@link IllegalStateException}
 * rather than hand out a number the kernel may already have given to someone else.
 */
public final class SafeDescriptor implements AsRawDescriptor, AutoCloseable {
    private final AtomicInteger fd;

    /** Takes ownership of {@code fd}, which must be non-negative. */
    public SafeDescriptor(int fd) {
        if (fd < 0) {
            throw new IllegalArgumentException("invalid descriptor " + fd);
        }
        this.fd = new AtomicInteger(fd);
    }

    /** Opens {@code path} with {@code O_CLOEXEC} added to {@code flags}. */
    public static SafeDescriptor open(String path, int flags) {
        return new SafeDescriptor(LibC.openChecked(path, flags | LibC.O_CLOEXEC, 0));
    }

    /** Duplicates {@code other} into a descriptor this object owns. */
    public static SafeDescriptor duplicate(AsRawDescriptor other) {
        return new SafeDescriptor(LibC.dupChecked(other.asRawDescriptor()));
    }

    @Override
    public int asRawDescriptor() {
        int value = fd.get();
        if (value < 0) {
            throw new IllegalStateException("descriptor already closed");
        }
        return value;
    }

    public boolean isClosed() {
        return fd.get() < 0;
    }

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
