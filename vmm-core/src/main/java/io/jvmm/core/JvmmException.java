package io.jvmm.core;

import java.util.Objects;

/**
 * The base of every exception jvmm throws for its own reasons: a failed system call or ioctl, an
 * access outside guest memory, an object used after {@code close()}, a bad kernel image. Catch
 * this to handle any of them; the subclasses say which, and {@link #details()} carries the errno,
 * address, length and region size as values. Argument errors of plain Java kind (a null, a
 * negative count) stay {@link NullPointerException} and {@link IllegalArgumentException} where
 * the JDK's conventions call for them.
 */
public class JvmmException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Not serialized: a deserialized exception keeps its message only. */
    private final transient ErrorDetails details;

    /**
     * An exception with a message and no details.
     *
     * @param message what failed, with its context
     */
    public JvmmException(String message) {
        this(message, ErrorDetails.NONE, null);
    }

    /**
     * An exception with a message and a cause.
     *
     * @param message what failed, with its context
     * @param cause   the failure underneath, or null
     */
    public JvmmException(String message, Throwable cause) {
        this(message, ErrorDetails.NONE, cause);
    }

    /**
     * An exception with structured details.
     *
     * @param message what failed, with its context (the details are not appended to it)
     * @param details the errno, address, length and region size involved
     * @param cause   the failure underneath, or null
     * @throws NullPointerException when {@code details} is null
     */
    public JvmmException(String message, ErrorDetails details, Throwable cause) {
        super(message, cause);
        this.details = Objects.requireNonNull(details, "details");
    }

    /** {@return the errno, address, length and region size involved; {@link ErrorDetails#NONE} after deserialization} */
    public ErrorDetails details() {
        return details == null ? ErrorDetails.NONE : details;
    }

    /** {@return the errno of the failed call, or 0 when no system call failed} */
    public int errno() {
        return details().errno();
    }
}
