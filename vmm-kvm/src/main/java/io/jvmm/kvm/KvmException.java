package io.jvmm.kvm;

import io.jvmm.core.Errno;
import io.jvmm.core.SyscallException;

/**
 * A KVM ioctl failed. The message names the ioctl, the errno and what was being done, e.g.
 * {@code "KVM_SET_USER_MEMORY_REGION failed: EEXIST (slot 1 guest 0x100000 size 0x200000)"}.
 */
public final class KvmException extends SyscallException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception whose message is {@code "<ioctl> failed: <ERRNO>"}, followed by
     * {@code " (<context>)"} unless {@code context} is null or empty; {@link #details()} carries
     * the ioctl as its call and the errno.
     *
     * @param ioctl the ioctl's {@code <linux/kvm.h>} name, e.g. {@code "KVM_RUN"}
     * @param errno the positive errno value the kernel returned
     * @param context what was being done (slot, address, vCPU), or null or empty for nothing
     */
    public KvmException(String ioctl, int errno, String context) {
        super(ioctl, errno, context);
    }

    /** {@return the ioctl's name, e.g. {@code "KVM_CREATE_VM"} (the same as {@link #call()})} */
    public String ioctl() {
        return call();
    }

    /** {@return the errno's symbolic name, e.g. {@code "EINVAL"}} */
    public String errnoName() {
        return Errno.name(errno());
    }
}
