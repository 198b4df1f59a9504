package io.jvmm.loader;

import io.jvmm.core.JvmmException;

/**
 * Every failure to load a kernel, an initrd or a command line: the only exception the loader's
 * public methods throw for bad input, whatever the bytes of the image are. The CLI reports
 * {@link #getMessage()} as one line and exits with status 1. When it is thrown by
 * {@link LinuxLoader}, guest memory has not been written.
 */
public final class LoaderException extends JvmmException {
    private static final long serialVersionUID = 1L;

    /** Why loading failed. */
    public enum Reason {
        /** The file is missing, unreadable, or not a regular file. */
        UNREADABLE_FILE,
        /** The file ends before a structure or segment its headers describe. */
        TRUNCATED,
        /** Neither a bzImage ("HdrS" at 0x202, 0xAA55 at 0x1FE) nor an ELF file. */
        BAD_MAGIC,
        /** A bzImage whose boot protocol is older than 2.12, or an ELF of another class or machine. */
        UNSUPPORTED_FORMAT,
        /** A bzImage without a 64-bit entry point (XLF_KERNEL_64) or not loadable high (LOADED_HIGH). */
        NO_64BIT_ENTRY,
        /** A header field with an impossible value (overlapping or overflowing ranges, bad sizes). */
        MALFORMED,
        /** The kernel, its working memory, or the initrd does not fit in guest RAM where it must go. */
        DOES_NOT_FIT,
        /** The command line is too long or holds a character the kernel cannot take. */
        BAD_COMMAND_LINE,
        /** Guest memory refused a write (it changed after the load was planned). */
        GUEST_MEMORY,
    }

    private final Reason reason;

    /**
     * A failure without an underlying exception.
     *
     * @param reason  why loading failed, for callers that act on the kind of failure
     * @param message one line for the user: what was refused, and where in the file or guest RAM
     */
    public LoaderException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    /**
     * A failure caused by another exception (an I/O error, a refused guest-memory write).
     *
     * @param reason  why loading failed, for callers that act on the kind of failure
     * @param message one line for the user: what was refused, and where in the file or guest RAM
     * @param cause   the exception that made loading fail
     */
    public LoaderException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** {@return why loading failed, as given to the constructor} */
    public Reason reason() {
        return reason;
    }
}
