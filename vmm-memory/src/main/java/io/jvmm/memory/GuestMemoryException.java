package io.jvmm.memory;

/** Every failure of a {@link GuestMemory} call except use after close ({@link IllegalStateException}). */
public final class GuestMemoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong; mirrors crosvm's {@code vm_memory::guest_memory::Error}. */
    public enum Kind {
        INVALID_GUEST_ADDRESS,
        INVALID_GUEST_RANGE,
        INVALID_OFFSET,
        MEMORY_NOT_ALIGNED,
        MEMORY_REGION_OVERLAP,
        MEMORY_REGION_TOO_LARGE,
        SHORT_READ,
        SHORT_WRITE,
        MEMORY_ACCESS,
        INVALID_SIZE,
        /** A volatile access whose guest address is not a multiple of its width. */
        INVALID_ALIGNMENT,
        MEMORY_CREATION_FAILED,
        MEMORY_MAPPING_FAILED,
        SNAPSHOT_FAILED,
        RESTORE_FAILED,
    }

    private final Kind kind;

    public GuestMemoryException(Kind kind, String message) {
        super(kind + ": " + message);
        this.kind = kind;
    }

    public GuestMemoryException(Kind kind, String message, Throwable cause) {
        super(kind + ": " + message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
