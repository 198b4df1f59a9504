package io.jvmm.machine;

import io.jvmm.core.JvmmException;

/** A vCPU thread failed (a KVM error, or a device threw); the run was stopped. */
public final class VcpuFailedException extends JvmmException {
    private static final long serialVersionUID = 1L;

    private final int vcpu;

    VcpuFailedException(int vcpu, Throwable cause) {
        super("vcpu " + vcpu + " failed: " + cause.getMessage(), cause);
        this.vcpu = vcpu;
    }

    /** {@return the id of the vCPU whose thread failed; {@link #getCause()} is what it failed with} */
    public int vcpu() {
        return vcpu;
    }
}
