package io.jvmm.kvm.sys;

/**
 * Numeric values of {@code <linux/kvm.h>} other than ioctls and capabilities (those are in
 * {@link KvmIoctls} and {@link io.jvmm.kvm.KvmCap}): the API version, exit reasons, I/O directions, memory-slot
 * flags, system-event types, internal-error suberrors and MP states. {@code KvmAbiTest} checks
 * them against the header.
 */
public final class KvmConstants {
    /** KVM_GET_API_VERSION must return this; anything else is an incompatible kernel (api.rst 4.1). */
    public static final int KVM_API_VERSION = 12;

    // exit_reason values of struct kvm_run
    public static final int KVM_EXIT_UNKNOWN = 0;
    public static final int KVM_EXIT_EXCEPTION = 1;
    public static final int KVM_EXIT_IO = 2;
    public static final int KVM_EXIT_HYPERCALL = 3;
    public static final int KVM_EXIT_DEBUG = 4;
    public static final int KVM_EXIT_HLT = 5;
    public static final int KVM_EXIT_MMIO = 6;
    public static final int KVM_EXIT_IRQ_WINDOW_OPEN = 7;
    public static final int KVM_EXIT_SHUTDOWN = 8;
    public static final int KVM_EXIT_FAIL_ENTRY = 9;
    public static final int KVM_EXIT_INTR = 10;
    public static final int KVM_EXIT_INTERNAL_ERROR = 17;
    public static final int KVM_EXIT_SYSTEM_EVENT = 24;

    // kvm_run.io.direction
    public static final int KVM_EXIT_IO_IN = 0;
    public static final int KVM_EXIT_IO_OUT = 1;

    // kvm_userspace_memory_region.flags
    public static final int KVM_MEM_LOG_DIRTY_PAGES = 1;
    public static final int KVM_MEM_READONLY = 1 << 1;

    // kvm_run.system_event.type
    public static final int KVM_SYSTEM_EVENT_SHUTDOWN = 1;
    public static final int KVM_SYSTEM_EVENT_RESET = 2;
    public static final int KVM_SYSTEM_EVENT_CRASH = 3;

    // kvm_run.internal.suberror
    public static final int KVM_INTERNAL_ERROR_EMULATION = 1;
    public static final int KVM_INTERNAL_ERROR_SIMUL_EX = 2;
    public static final int KVM_INTERNAL_ERROR_DELIVERY_EV = 3;

    // kvm_mp_state.mp_state
    public static final int KVM_MP_STATE_RUNNABLE = 0;
    public static final int KVM_MP_STATE_UNINITIALIZED = 1;
    public static final int KVM_MP_STATE_INIT_RECEIVED = 2;
    public static final int KVM_MP_STATE_HALTED = 3;
    public static final int KVM_MP_STATE_SIPI_RECEIVED = 4;

    // kvm_ioeventfd.flags (enum kvm_ioeventfd_flag_nr_*: datamatch 0, pio 1, deassign 2)
    public static final int KVM_IOEVENTFD_FLAG_DATAMATCH = 1 << 0;
    public static final int KVM_IOEVENTFD_FLAG_PIO = 1 << 1;
    public static final int KVM_IOEVENTFD_FLAG_DEASSIGN = 1 << 2;
    // kvm_irqfd.flags
    public static final int KVM_IRQFD_FLAG_DEASSIGN = 1 << 0;

    // kvm_pit_config.flags
    public static final int KVM_PIT_SPEAKER_DUMMY = 1;

    /** KVM_GET_SUPPORTED_CPUID fails with E2BIG above this many entries (arch/x86/include/asm/kvm_host.h). */
    public static final int KVM_MAX_CPUID_ENTRIES = 256;

    private KvmConstants() {
    }

    /** The lower-case name of an exit reason for logs and statistics, e.g. {@code "io"}, {@code "fail_entry"}. */
    public static String exitReasonName(int exitReason) {
        return switch (exitReason) {
            case KVM_EXIT_UNKNOWN -> "unknown";
            case KVM_EXIT_EXCEPTION -> "exception";
            case KVM_EXIT_IO -> "io";
            case KVM_EXIT_HYPERCALL -> "hypercall";
            case KVM_EXIT_DEBUG -> "debug";
            case KVM_EXIT_HLT -> "hlt";
            case KVM_EXIT_MMIO -> "mmio";
            case KVM_EXIT_IRQ_WINDOW_OPEN -> "irq_window_open";
            case KVM_EXIT_SHUTDOWN -> "shutdown";
            case KVM_EXIT_FAIL_ENTRY -> "fail_entry";
            case KVM_EXIT_INTR -> "intr";
            case KVM_EXIT_INTERNAL_ERROR -> "internal_error";
            case KVM_EXIT_SYSTEM_EVENT -> "system_event";
            default -> "exit_" + exitReason;
        };
    }
}
