package io.jvmm.memory;

import io.jvmm.core.Errno;
import io.jvmm.core.ErrorDetails;
import io.jvmm.core.JvmmException;

/**
 * Every failure of a {@link MemoryMapping}, {@link MemoryMappingArena}, {@link SharedMemory} or
 * {@link VolatileSlice} call, except use after close (which is {@link io.jvmm.core.ClosedException}).
 * The message names the offset, length and region size involved; {@link #errno()} is non-zero
 * only when a system call failed.
 */
public final class MmapException extends JvmmException {
    private static final long serialVersionUID = 1L;

    /** What went wrong; mirrors crosvm's {@code base::MmapError}. */
    public enum Kind {
        /**
         * An access of a {@link MemoryMapping} whose offset and length are not inside the mapping, or
         * a {@link MemoryMappingArena} range that is not inside the arena (a negative offset or an
         * overflowing end included).
         */
        INVALID_ADDRESS,
        /**
         * A volatile access at an offset that is not a multiple of its width, or a builder alignment
         * that is not a power-of-two multiple of the page size.
         */
        INVALID_ALIGNMENT,
        /**
         * An argument no call can accept: a size that is not positive (negative, for a memfd), a
         * negative length, offset or count of a slice, a read-only destination buffer,
         * {@code populate()} without a descriptor, a descriptor whose owner is closed, a memfd name
         * that is null or holds a NUL; also an access that the mapping's {@link Protection} forbids
         * (touching such a page would kill the JVM rather than throw).
         */
        INVALID_ARGUMENT,
        /** A negative file offset for a descriptor mapping. */
        INVALID_OFFSET,
        /**
         * A range for advice, locking or a cache flush that is not inside the mapping; a file that is
         * shorter than the mapping asked of it; or an access to bytes of a file that was shrunk while
         * mapped.
         */
        INVALID_RANGE,
        /**
         * A file offset or arena offset that is not a multiple of the page size, or a range that must
         * be whole pages and is not ({@link MemoryMapping#removeRange}, {@link MemoryMapping#dropPageCache}).
         */
        NOT_PAGE_ALIGNED,
        /** A slice that would end past the end of the memory or slice it is taken from. */
        OUT_OF_BOUNDS,
        /** An offset plus a size (or a size rounded up to pages or to an alignment) that passes {@code Long.MAX_VALUE}. */
        OVERFLOW,
        /** A system call failed; {@link #errno()} and {@link #details()} say which and how. */
        SYSTEM_CALL_FAILED,
        /** {@link MappedRegion#addFdMapping} on a region that cannot hold other mappings. */
        ADD_FD_MAPPING_UNSUPPORTED,
        /** {@link MappedRegion#removeMapping} on a region that cannot hold other mappings. */
        REMOVE_MAPPING_UNSUPPORTED,
        /** The operation has no implementation on this host (a cache-line flush anywhere but x86-64). */
        NOT_IMPLEMENTED,
    }

    private final Kind kind;

    /**
     * A failure that involved no system call ({@link #errno()} is 0).
     *
     * @param kind    what went wrong; the message is prefixed with its name
     * @param message what failed, with its context
     */
    public MmapException(Kind kind, String message) {
        this(kind, 0, message);
    }

    /**
     * A failure with an errno but no call worth naming.
     *
     * @param kind    what went wrong; the message is prefixed with its name
     * @param errno   the errno, or 0 for none; when not 0 its name, e.g. {@code (EINVAL)}, is appended to the message
     * @param message what failed, with its context
     */
    public MmapException(Kind kind, int errno, String message) {
        this(kind, message + (errno != 0 ? " (" + Errno.name(errno) + ")" : ""),
            errno != 0 ? ErrorDetails.ofErrno(errno) : ErrorDetails.NONE);
    }

    /**
     * A failure with structured details (the offset, length and mapping size of an access, or the
     * call and errno of a system call).
     *
     * @param kind    what went wrong; the message is prefixed with its name
     * @param message what failed, with its context (the details are not appended to it)
     * @param details the values involved
     * @throws NullPointerException when {@code details} is null
     */
    public MmapException(Kind kind, String message, ErrorDetails details) {
        super(kind + ": " + message, details, null);
        this.kind = kind;
    }

    /**
     * A failed system call, as {@code SYSTEM_CALL_FAILED}: the message reads
     * {@code "<call> failed: <context> (<errno name>)"}.
     *
     * @param call    the system call, e.g. {@code "mmap"} or {@code "madvise(MADV_REMOVE)"}
     * @param errno   the errno it set
     * @param context what it was called on (sizes, offsets, descriptor)
     * @return the exception, with the call and errno in its {@link #details()}
     */
    public static MmapException syscall(String call, int errno, String context) {
        return new MmapException(Kind.SYSTEM_CALL_FAILED, call + " failed: " + context + " (" + Errno.name(errno) + ")",
            ErrorDetails.ofCall(call, errno));
    }

    /** {@return what went wrong} */
    public Kind kind() {
        return kind;
    }
}
