package io.jvmm.core;

/**
 * A system call failed. Carries the call's name and the errno it set; the message reads
 * {@code "<call> failed: EINVAL (context)"}.
 */
public class SyscallException extends JvmmException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    /**
     * An exception for a failed call; its {@link #details()} carry {@code call} and {@code errno}.
     *
     * @param call    the name of the failing call, e.g. {@code "mmap"} or an ioctl's name
     * @param errno   the errno it set, a positive value (named in the message by
     *     {@link Errno#name})
     * @param context the arguments or object involved, appended in parentheses; null or empty for
     *     none
     * @throws NullPointerException if {@code call} is null
     */
    public SyscallException(String call, int errno, String context) {
        super(call + " failed: " + Errno.name(errno) + (context == null || context.isEmpty() ? "" : " (" + context + ")"),
            ErrorDetails.ofCall(call, errno), null);
        this.call = call;
        this.errno = errno;
    }

    /** {@return the name of the failing call, e.g. {@code "mmap"}} */
    public String call() {
        return call;
    }

    /** {@return the errno the call set, e.g. {@link Errno#EINVAL}} */
    @Override
    public int errno() {
        return errno;
    }
}
