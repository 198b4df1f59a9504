package io.jvmm.kvm;

/**
 * The KVM capabilities jvmm asks about with {@code KVM_CHECK_EXTENSION}, with their numbers from
 * {@code <linux/kvm.h>} (api.rst section 8 describes each). {@code KvmAbiTest} checks the numbers.
 */
public enum KvmCap {
    /** In-kernel PIC + IOAPIC + LAPIC ({@code KVM_CREATE_IRQCHIP}). */
    IRQCHIP(0, "KVM_CAP_IRQCHIP"),
    /** HLT exits to userspace when there is no in-kernel LAPIC. */
    HLT(1, "KVM_CAP_HLT"),
    /** {@code KVM_SET_USER_MEMORY_REGION}: guest memory backed by userspace mappings. */
    USER_MEMORY(3, "KVM_CAP_USER_MEMORY"),
    /** {@code KVM_SET_TSS_ADDR} ({@link Vm#setTssAddr}). */
    SET_TSS_ADDR(4, "KVM_CAP_SET_TSS_ADDR"),
    /** {@code KVM_GET_SUPPORTED_CPUID} and {@code KVM_SET_CPUID2} ({@link Kvm#supportedCpuid()}, {@link Vcpu#setCpuid2}). */
    EXT_CPUID(7, "KVM_CAP_EXT_CPUID"),
    /** Recommended maximum number of vCPUs. */
    NR_VCPUS(9, "KVM_CAP_NR_VCPUS"),
    /** Number of memory slots. */
    NR_MEMSLOTS(10, "KVM_CAP_NR_MEMSLOTS"),
    /** The guest's memory follows host page-table changes (mmu notifiers). */
    SYNC_MMU(16, "KVM_CAP_SYNC_MMU"),
    /** {@code KVM_SET_GSI_ROUTING}; the value is the maximum number of routing entries. */
    IRQ_ROUTING(25, "KVM_CAP_IRQ_ROUTING"),
    /** {@code KVM_IRQFD}: an eventfd that injects an interrupt when signalled. */
    IRQFD(32, "KVM_CAP_IRQFD"),
    /** {@code KVM_CREATE_PIT2} ({@link Vm#createPit2}). */
    PIT2(33, "KVM_CAP_PIT2"),
    /** {@code KVM_IOEVENTFD}: guest writes to an address signal an eventfd in the kernel. */
    IOEVENTFD(36, "KVM_CAP_IOEVENTFD"),
    /** {@code KVM_SET_IDENTITY_MAP_ADDR} ({@link Vm#setIdentityMapAddr}). */
    SET_IDENTITY_MAP_ADDR(37, "KVM_CAP_SET_IDENTITY_MAP_ADDR"),
    /** Maximum number of vCPUs. */
    MAX_VCPUS(66, "KVM_CAP_MAX_VCPUS"),
    /** The in-kernel LAPIC's timer has TSC-deadline mode (userspace sets CPUID 1 ECX[24]). */
    TSC_DEADLINE_TIMER(72, "KVM_CAP_TSC_DEADLINE_TIMER"),
    /** {@code kvm_run.immediate_exit}, which the vCPU kick relies on. */
    IMMEDIATE_EXIT(136, "KVM_CAP_IMMEDIATE_EXIT");

    private final int number;
    private final String cName;

    KvmCap(int number, String cName) {
        this.number = number;
        this.cName = cName;
    }

    /** {@return the {@code KVM_CAP_*} number passed to {@code KVM_CHECK_EXTENSION}} */
    public int number() {
        return number;
    }

    /** {@return the C macro name, e.g. {@code "KVM_CAP_IRQCHIP"}} */
    public String cName() {
        return cName;
    }
}
