package io.jvmm.memory;

import io.jvmm.core.ErrorDetails;
import io.jvmm.core.JvmmException;

/**
 * Every failure of a {@link GuestMemory} call except use after close ({@link io.jvmm.core.ClosedException}) and
 * plain Java misuse: a {@code null} argument ({@link NullPointerException}), a negative file position or a region
 * of another guest memory ({@link IllegalArgumentException}), a dirty-page call on memory that tracks none
 * ({@link IllegalStateException}). {@link #kind()} says what went wrong; {@link #details()} carries the guest
 * address, length and region size where they are known.
 */
public final class GuestMemoryException extends JvmmException {
    private static final long serialVersionUID = 1L;

    /** What went wrong; mirrors crosvm's {@code vm_memory::guest_memory::Error}. */
    public enum Kind {
        /** The (first) address of an access lies in no region; nothing was read or written. */
        INVALID_GUEST_ADDRESS,
        /**
         * The access starts in a region but runs past its end (a single-region call), into a gap or
         * past the last region (a call that may cross adjacent regions), or past 2^64; also a
         * missing or {@code null} range, or one that wraps, given to {@link GuestMemory#create}.
         */
        INVALID_GUEST_RANGE,
        /**
         * A range given to {@link GuestMemory#create} whose start or size is not a multiple of the
         * page size, or a {@link GuestMemory#removeRange} that is not whole pages.
         */
        MEMORY_NOT_ALIGNED,
        /** Two ranges given to {@link GuestMemory#create} overlap. */
        MEMORY_REGION_OVERLAP,
        /**
         * The ranges given to {@link GuestMemory#create} add up past 2^63 - 1 bytes, or a region's
         * dirty bitmap would not fit one Java array.
         */
        MEMORY_REGION_TOO_LARGE,
        /** {@link GuestMemory#readExactAtAddr} could not fill the whole buffer; nothing was read. */
        SHORT_READ,
        /** {@link GuestMemory#writeAllAtAddr} could not write the whole buffer; nothing was written. */
        SHORT_WRITE,
        /**
         * A mapping refused an access the address checks allowed, or a system call on a range
         * failed; the {@link MmapException} is the cause, and {@link #details()} carries its call and
         * errno (0 when no system call failed).
         */
        MEMORY_ACCESS,
        /** A negative length, or a length that is not positive where only a positive one is meaningful. */
        INVALID_SIZE,
        /** A volatile access whose guest address is not a multiple of its width. */
        INVALID_ALIGNMENT,
        /** The backing memfd could not be created, sized or sealed; the {@link MmapException} is the cause. */
        MEMORY_CREATION_FAILED,
        /**
         * A region could not be mapped (the {@link MmapException} is the cause), or there are more
         * regions than this process may still map ({@code vm.max_map_count}, less a reserve for the JVM).
         */
        MEMORY_MAPPING_FAILED,
        /** {@link GuestMemory#snapshot} failed: the stream, a read of guest memory or a search of the memfd. */
        SNAPSHOT_FAILED,
        /** {@link GuestMemory#restore} failed; the message says whether guest memory is unchanged or zeroed. */
        RESTORE_FAILED,
    }

    private final Kind kind;

    /**
     * A failure without details or cause.
     *
     * @param kind    what went wrong; the message is prefixed with its name
     * @param message what failed, with its context
     */
    public GuestMemoryException(Kind kind, String message) {
        this(kind, message, ErrorDetails.NONE, null);
    }

    /**
     * A failure caused by another, without details.
     *
     * @param kind    what went wrong; the message is prefixed with its name
     * @param message what failed, with its context
     * @param cause   the failure underneath (an {@link MmapException}, an {@link java.io.IOException}), or null
     */
    public GuestMemoryException(Kind kind, String message, Throwable cause) {
        this(kind, message, ErrorDetails.NONE, cause);
    }

    /**
     * A failure with the guest address, length and region size involved.
     *
     * @param kind    what went wrong; the message is prefixed with its name
     * @param message what failed, with its context
     * @param details the values involved
     * @param cause   the failure underneath, or null
     * @throws NullPointerException when {@code details} is null
     */
    public GuestMemoryException(Kind kind, String message, ErrorDetails details, Throwable cause) {
        super(kind + ": " + message, details, cause);
        this.kind = kind;
    }

    /** {@return what went wrong} */
    public Kind kind() {
        return kind;
    }
}
