package io.jvmm.core;

/**
 * A system call failed. Carries the call's name and the errno it set; the message reads
 * {@code "<call> failed: EINVAL (context)"}.
 */
public class SyscallException extends JvmmException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    public SyscallException(String call, int errno, String context) {
        super(call + " failed: " + Errno.name(errno) + (context == null || context.isEmpty() ? "" : " (" + context + ")"),
            ErrorDetails.ofCall(call, errno), null);
        this.call = call;
        this.errno = errno;
    }

    /** The name of the failing call, e.g. {@code "mmap"}. */
    public String call() {
        return call;
    }

    /** The errno the call set. */
    @Override
    public int errno() {
        return errno;
    }
}
