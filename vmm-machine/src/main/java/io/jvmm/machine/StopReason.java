package io.jvmm.machine;

import io.jvmm.kvm.VcpuExit;


/** Why a run of the guest ended. */
public enum StopReason {
    /** A vCPU executed HLT with no in-kernel irqchip to wait in (KVM_EXIT_HLT). */
    HALT,
    /** The guest asked for a reset: the i8042 reset command, or a KVM reset system event. */
    RESET,
    /** Triple fault or a shutdown request (KVM_EXIT_SHUTDOWN, KVM shutdown system event). */
    SHUTDOWN,
    /** The hardware refused to enter the guest (KVM_EXIT_FAIL_ENTRY). */
    FAIL_ENTRY,
    /** KVM could not handle the guest (KVM_EXIT_INTERNAL_ERROR). */
    INTERNAL_ERROR,
    /** A guest crash system event, or an exit jvmm does not handle. */
    UNHANDLED_EXIT,
    /** The run's time limit passed; the vCPUs were kicked out of KVM_RUN. */
    TIMEOUT,
    /** Someone called {@link VcpuRunner#requestStop}. */
    STOPPED;

    /** The stop reason a terminal vCPU exit stands for. */
    static StopReason of(VcpuExit exit) {
        if (exit instanceof VcpuExit.Hlt) {
            return HALT;
        }
        if (exit instanceof VcpuExit.Shutdown) {
            return SHUTDOWN;
        }
        if (exit instanceof VcpuExit.FailEntry) {
            return FAIL_ENTRY;
        }
        if (exit instanceof VcpuExit.InternalError) {
            return INTERNAL_ERROR;
        }
        if (exit instanceof VcpuExit.SystemEvent e) {
            if (e.type() == VcpuExit.SystemEvent.RESET) {
                return RESET;
            }
            if (e.type() == VcpuExit.SystemEvent.SHUTDOWN) {
                return SHUTDOWN;
            }
        }
        return UNHANDLED_EXIT;
    }
}
