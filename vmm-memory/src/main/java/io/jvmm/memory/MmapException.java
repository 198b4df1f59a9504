package io.jvmm.memory;

import io.jvmm.core.Errno;

/**
 * Every failure of a {@link MemoryMapping}, {@link MemoryMappingArena}, {@link SharedMemory} or
 * {@link VolatileSlice} call, except use after close (which is {@link IllegalStateException}).
 * The message names the offset, length and region size involved; {@link #errno()} is non-zero
 * only when a system call failed.
 */
public final class MmapException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong; mirrors crosvm's {@code base::MmapError}. */
    public enum Kind {
        INVALID_ADDRESS,
        INVALID_ALIGNMENT,
        INVALID_ARGUMENT,
        INVALID_OFFSET,
        INVALID_RANGE,
        NOT_PAGE_ALIGNED,
        OUT_OF_BOUNDS,
        OVERFLOW,
        SYSTEM_CALL_FAILED,
        ADD_FD_MAPPING_UNSUPPORTED,
        REMOVE_MAPPING_UNSUPPORTED,
        NOT_IMPLEMENTED,
    }

    private final Kind kind;
    private final int errno;

    public MmapException(Kind kind, String message) {
        this(kind, 0, message);
    }

    public MmapException(Kind kind, int errno, String message) {
        super(kind + ": " + message + (errno != 0 ? " (" + Errno.name(errno) + ")" : ""));
        this.kind = kind;
        this.errno = errno;
    }

    /** A failed system call, with its errno. */
    public static MmapException syscall(String call, int errno, String context) {
        return new MmapException(Kind.SYSTEM_CALL_FAILED, errno, call + " failed: " + context);
    }

    public Kind kind() {
        return kind;
    }

    /** The errno of the failed system call, or 0 when no system call failed. */
    public int errno() {
        return errno;
    }
}
