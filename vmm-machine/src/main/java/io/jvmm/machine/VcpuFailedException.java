package io.jvmm.machine;

/** A vCPU thread failed (a KVM error, or a device threw); the run was stopped. */
public final class VcpuFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int vcpu;

    VcpuFailedException(int vcpu, Throwable cause) {
        super("vcpu " + vcpu + " failed: " + cause.getMessage(), cause);
        this.vcpu = vcpu;
    }

    /** The id of the vCPU whose thread failed. */
    public int vcpu() {
        return vcpu;
    }
}
