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
    /** Exit for a reason KVM does not know; {@code hw.hardware_exit_reason} holds the VMX/SVM reason. */
    public static final int KVM_EXIT_UNKNOWN = 0;
    /** A guest exception KVM hands to userspace; {@code ex} holds its vector. */
    public static final int KVM_EXIT_EXCEPTION = 1;
    /** A port access ({@code in}/{@code out}, {@code ins}/{@code outs}); the data is in the run page. */
    public static final int KVM_EXIT_IO = 2;
    /** A hypercall KVM forwards to userspace. */
    public static final int KVM_EXIT_HYPERCALL = 3;
    /** A debug event (breakpoint, single step) requested with {@code KVM_SET_GUEST_DEBUG}. */
    public static final int KVM_EXIT_DEBUG = 4;
    /** The guest executed HLT with no in-kernel local APIC to wait in. */
    public static final int KVM_EXIT_HLT = 5;
    /** A load or store to a guest-physical address with no memory slot, or a store to a read-only slot. */
    public static final int KVM_EXIT_MMIO = 6;
    /** The guest can take an interrupt now ({@code request_interrupt_window} was set). */
    public static final int KVM_EXIT_IRQ_WINDOW_OPEN = 7;
    /** The guest shut down, typically a triple fault. */
    public static final int KVM_EXIT_SHUTDOWN = 8;
    /** The hardware refused to enter the guest; {@code fail_entry} holds the reason. */
    public static final int KVM_EXIT_FAIL_ENTRY = 9;
    /** A signal interrupted the run ({@code KVM_RUN} itself fails with EINTR). */
    public static final int KVM_EXIT_INTR = 10;
    /** KVM could not handle an exit, e.g. emulate an instruction; {@code internal} holds the suberror. */
    public static final int KVM_EXIT_INTERNAL_ERROR = 17;
    /** A system event such as a reset or shutdown request; {@code system_event} holds its type. */
    public static final int KVM_EXIT_SYSTEM_EVENT = 24;

    // kvm_run.io.direction
    /** {@code kvm_run.io.direction} of a read ({@code in}): userspace fills the data. */
    public static final int KVM_EXIT_IO_IN = 0;
    /** {@code kvm_run.io.direction} of a write ({@code out}): the data holds what the guest wrote. */
    public static final int KVM_EXIT_IO_OUT = 1;

    // kvm_userspace_memory_region.flags
    /** Memory-slot flag: track the pages the guest writes, for {@code KVM_GET_DIRTY_LOG} (api.rst 4.35). */
    public static final int KVM_MEM_LOG_DIRTY_PAGES = 1;
    /** Memory-slot flag: guest writes do not reach the memory but exit as KVM_EXIT_MMIO (api.rst 4.35). */
    public static final int KVM_MEM_READONLY = 1 << 1;

    // kvm_run.system_event.type
    /** System-event type: the guest asked to power off. */
    public static final int KVM_SYSTEM_EVENT_SHUTDOWN = 1;
    /** System-event type: the guest asked to reset. */
    public static final int KVM_SYSTEM_EVENT_RESET = 2;
    /** System-event type: the guest reported a crash (on x86, through the Hyper-V crash MSRs). */
    public static final int KVM_SYSTEM_EVENT_CRASH = 3;

    // kvm_run.internal.suberror
    /** Internal-error suberror: KVM failed to emulate an instruction. */
    public static final int KVM_INTERNAL_ERROR_EMULATION = 1;
    /** Internal-error suberror: an exception arrived while another was being delivered. */
    public static final int KVM_INTERNAL_ERROR_SIMUL_EX = 2;
    /** Internal-error suberror: delivering an event (interrupt, exception) caused an exit KVM cannot handle. */
    public static final int KVM_INTERNAL_ERROR_DELIVERY_EV = 3;

    // kvm_mp_state.mp_state
    /** MP state: the vCPU is running or may run. */
    public static final int KVM_MP_STATE_RUNNABLE = 0;
    /** MP state: an application processor waiting for INIT. */
    public static final int KVM_MP_STATE_UNINITIALIZED = 1;
    /** MP state: INIT received, waiting for a SIPI. */
    public static final int KVM_MP_STATE_INIT_RECEIVED = 2;
    /** MP state: halted (HLT), waiting for an interrupt. */
    public static final int KVM_MP_STATE_HALTED = 3;
    /** MP state: SIPI received; the vCPU starts at the SIPI vector. */
    public static final int KVM_MP_STATE_SIPI_RECEIVED = 4;

    // kvm_ioeventfd.flags (enum kvm_ioeventfd_flag_nr_*: datamatch 0, pio 1, deassign 2)
    /** {@code kvm_ioeventfd} flag: signal only when the written value equals {@code datamatch}. */
    public static final int KVM_IOEVENTFD_FLAG_DATAMATCH = 1 << 0;
    /** {@code kvm_ioeventfd} flag: the address is an I/O port, not guest-physical memory. */
    public static final int KVM_IOEVENTFD_FLAG_PIO = 1 << 1;
    /** {@code kvm_ioeventfd} flag: remove the binding with the same fields instead of adding it. */
    public static final int KVM_IOEVENTFD_FLAG_DEASSIGN = 1 << 2;
    // kvm_irqfd.flags
    /** {@code kvm_irqfd} flag: remove the binding of that eventfd and GSI instead of adding it. */
    public static final int KVM_IRQFD_FLAG_DEASSIGN = 1 << 0;

    // kvm_pit_config.flags
    /** {@code kvm_pit_config} flag: the kernel serves the PC speaker port 0x61 with a dummy. */
    public static final int KVM_PIT_SPEAKER_DUMMY = 1;

    /** KVM_GET_SUPPORTED_CPUID fails with E2BIG above this many entries (arch/x86/include/asm/kvm_host.h). */
    public static final int KVM_MAX_CPUID_ENTRIES = 256;

    private KvmConstants() {
    }

    /**
     * The lower-case name of an exit reason for logs and statistics, e.g. {@code "io"}, {@code "fail_entry"}.
     *
     * @param exitReason a {@code kvm_run.exit_reason} value
     * @return the name of one of the {@code KVM_EXIT_*} constants here, or {@code "exit_<n>"} for any other value
     */
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
