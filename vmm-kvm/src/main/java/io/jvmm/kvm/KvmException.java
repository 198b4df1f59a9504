package io.jvmm.kvm;

import io.jvmm.core.Errno;

/**
 * A KVM ioctl failed. The message names the ioctl, the errno and what was being done, e.g.
 * {@code "KVM_SET_USER_MEMORY_REGION failed: EEXIST (slot 1 guest 0x100000 size 0x200000)"}.
 */
public final class KvmException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String ioctl;
    private final int errno;

    public KvmException(String ioctl, int errno, String context) {
        super(ioctl + " failed: " + Errno.name(errno) + (context == null || context.isEmpty() ? "" : " (" + context + ")"));
        this.ioctl = ioctl;
        this.errno = errno;
    }

    /** The ioctl's name, e.g. {@code "KVM_CREATE_VM"}. */
    public String ioctl() {
        return ioctl;
    }

    /** The errno the kernel returned. */
    public int errno() {
        return errno;
    }

    /** The errno's symbolic name, e.g. {@code "EINVAL"}. */
    public String errnoName() {
        return Errno.name(errno);
    }
}
