package io.jvmm.kvm.sys;

import static io.jvmm.kvm.sys.IoctlEncoding.io;
import static io.jvmm.kvm.sys.IoctlEncoding.ior;
import static io.jvmm.kvm.sys.IoctlEncoding.iow;
import static io.jvmm.kvm.sys.IoctlEncoding.iowr;

/**
 * Every KVM ioctl request jvmm issues, derived from the {@code _IO*} encoding with the type byte
 * {@link #KVMIO} and the struct sizes in {@link KvmStructs}, as {@code <linux/kvm.h>} defines them.
 * {@code KvmAbiTest} compares each number with the C header's.
 *
 * <p>Grouped by the descriptor they apply to (Documentation/virt/kvm/api.rst, section 4 lists
 * each ioctl's "Type": system, vm or vcpu).
 */
public final class KvmIoctls {
    /** The ioctl type byte of KVM. */
    public static final int KVMIO = 0xAE;

    // ---- system ioctls (on the /dev/kvm descriptor) ----
    /** Returns the API version, {@link KvmConstants#KVM_API_VERSION} on every supported kernel (api.rst 4.1). */
    public static final Ioctl KVM_GET_API_VERSION = new Ioctl("KVM_GET_API_VERSION", io(KVMIO, 0x00));
    /** Creates a VM and returns its descriptor; the argument is the machine type, 0 on x86 (api.rst 4.2). */
    public static final Ioctl KVM_CREATE_VM = new Ioctl("KVM_CREATE_VM", io(KVMIO, 0x01));
    /** Lists the MSRs KVM saves and restores ({@code struct kvm_msr_list}, in/out; api.rst 4.3). */
    public static final Ioctl KVM_GET_MSR_INDEX_LIST = new Ioctl("KVM_GET_MSR_INDEX_LIST", iowr(KVMIO, 0x02, KvmStructs.KvmMsrList.SIZE));
    /** Asks about a {@code KVM_CAP_*} given as the argument: 0 if unsupported, else 1 or a value (api.rst 4.4). */
    public static final Ioctl KVM_CHECK_EXTENSION = new Ioctl("KVM_CHECK_EXTENSION", io(KVMIO, 0x03));
    /** Returns the size in bytes of the vCPU descriptor's shared {@code kvm_run} mapping (api.rst 4.5). */
    public static final Ioctl KVM_GET_VCPU_MMAP_SIZE = new Ioctl("KVM_GET_VCPU_MMAP_SIZE", io(KVMIO, 0x04));
    /** Fills a {@code struct kvm_cpuid2} with the CPUID leaves KVM supports (in/out; api.rst 4.46). */
    public static final Ioctl KVM_GET_SUPPORTED_CPUID = new Ioctl("KVM_GET_SUPPORTED_CPUID", iowr(KVMIO, 0x05, KvmStructs.KvmCpuid2.SIZE));

    // ---- VM ioctls ----
    /** Creates a vCPU with the id given as the argument and returns its descriptor (api.rst 4.7). */
    public static final Ioctl KVM_CREATE_VCPU = new Ioctl("KVM_CREATE_VCPU", io(KVMIO, 0x41));
    /** Copies and clears a slot's dirty-page bitmap ({@code struct kvm_dirty_log}; api.rst 4.8). */
    public static final Ioctl KVM_GET_DIRTY_LOG = new Ioctl("KVM_GET_DIRTY_LOG", iow(KVMIO, 0x42, KvmStructs.KvmDirtyLog.SIZE));
    /** Creates, changes or (size 0) deletes a memory slot ({@code struct kvm_userspace_memory_region}; api.rst 4.35). */
    public static final Ioctl KVM_SET_USER_MEMORY_REGION = new Ioctl("KVM_SET_USER_MEMORY_REGION", iow(KVMIO, 0x46, KvmStructs.KvmUserspaceMemoryRegion.SIZE));
    /** Places the three-page TSS region Intel real-mode emulation needs; the argument is its address (api.rst 4.36). */
    public static final Ioctl KVM_SET_TSS_ADDR = new Ioctl("KVM_SET_TSS_ADDR", io(KVMIO, 0x47));
    /**
     * Places the one-page identity map Intel real-mode emulation needs; the argument is a pointer to
     * a {@code __u64} guest address (api.rst 4.40).
     */
    public static final Ioctl KVM_SET_IDENTITY_MAP_ADDR = new Ioctl("KVM_SET_IDENTITY_MAP_ADDR", iow(KVMIO, 0x48, Long.BYTES));
    /** Creates the in-kernel PIC, IOAPIC and local APICs (api.rst 4.24). */
    public static final Ioctl KVM_CREATE_IRQCHIP = new Ioctl("KVM_CREATE_IRQCHIP", io(KVMIO, 0x60));
    /** Sets the level of a GSI on the in-kernel irqchip ({@code struct kvm_irq_level}; api.rst 4.25). */
    public static final Ioctl KVM_IRQ_LINE = new Ioctl("KVM_IRQ_LINE", iow(KVMIO, 0x61, KvmStructs.KvmIrqLevel.SIZE));
    /** Creates the in-kernel i8254 PIT ({@code struct kvm_pit_config}; api.rst 4.71). */
    public static final Ioctl KVM_CREATE_PIT2 = new Ioctl("KVM_CREATE_PIT2", iow(KVMIO, 0x77, KvmStructs.KvmPitConfig.SIZE));
    /** Binds an eventfd to a GSI, or unbinds it ({@code struct kvm_irqfd}; api.rst 4.75). */
    public static final Ioctl KVM_IRQFD = new Ioctl("KVM_IRQFD", iow(KVMIO, 0x76, KvmStructs.KvmIrqfd.SIZE));
    /** Binds an eventfd to guest writes at an MMIO or port address, or unbinds it ({@code kvm_ioeventfd}; api.rst 4.59). */
    public static final Ioctl KVM_IOEVENTFD = new Ioctl("KVM_IOEVENTFD", iow(KVMIO, 0x79, KvmStructs.KvmIoeventfd.SIZE));

    // ---- vCPU ioctls ----
    /** Runs the vCPU until an exit; the reason is in the mmapped {@code kvm_run} (api.rst 4.10 and 5). */
    public static final Ioctl KVM_RUN = new Ioctl("KVM_RUN", io(KVMIO, 0x80));
    /** Reads the general-purpose registers ({@code struct kvm_regs}; api.rst 4.11). */
    public static final Ioctl KVM_GET_REGS = new Ioctl("KVM_GET_REGS", ior(KVMIO, 0x81, KvmStructs.KvmRegs.SIZE));
    /** Writes the general-purpose registers ({@code struct kvm_regs}; api.rst 4.12). */
    public static final Ioctl KVM_SET_REGS = new Ioctl("KVM_SET_REGS", iow(KVMIO, 0x82, KvmStructs.KvmRegs.SIZE));
    /** Reads the special registers ({@code struct kvm_sregs}; api.rst 4.13). */
    public static final Ioctl KVM_GET_SREGS = new Ioctl("KVM_GET_SREGS", ior(KVMIO, 0x83, KvmStructs.KvmSregs.SIZE));
    /** Writes the special registers ({@code struct kvm_sregs}; api.rst 4.14). */
    public static final Ioctl KVM_SET_SREGS = new Ioctl("KVM_SET_SREGS", iow(KVMIO, 0x84, KvmStructs.KvmSregs.SIZE));
    /** Reads MSRs ({@code struct kvm_msrs}, in/out); returns how many were read (api.rst 4.18). */
    public static final Ioctl KVM_GET_MSRS = new Ioctl("KVM_GET_MSRS", iowr(KVMIO, 0x88, KvmStructs.KvmMsrs.SIZE));
    /** Writes MSRs ({@code struct kvm_msrs}); returns how many were written (api.rst 4.19). */
    public static final Ioctl KVM_SET_MSRS = new Ioctl("KVM_SET_MSRS", iow(KVMIO, 0x89, KvmStructs.KvmMsrs.SIZE));
    /** Reads the x87/SSE state ({@code struct kvm_fpu}; api.rst 4.22). */
    public static final Ioctl KVM_GET_FPU = new Ioctl("KVM_GET_FPU", ior(KVMIO, 0x8c, KvmStructs.KvmFpu.SIZE));
    /** Writes the x87/SSE state ({@code struct kvm_fpu}; api.rst 4.23). */
    public static final Ioctl KVM_SET_FPU = new Ioctl("KVM_SET_FPU", iow(KVMIO, 0x8d, KvmStructs.KvmFpu.SIZE));
    /** Reads the in-kernel local APIC's register page ({@code struct kvm_lapic_state}; api.rst 4.57). */
    public static final Ioctl KVM_GET_LAPIC = new Ioctl("KVM_GET_LAPIC", ior(KVMIO, 0x8e, KvmStructs.KvmLapicState.SIZE));
    /** Writes the in-kernel local APIC's register page ({@code struct kvm_lapic_state}; api.rst 4.58). */
    public static final Ioctl KVM_SET_LAPIC = new Ioctl("KVM_SET_LAPIC", iow(KVMIO, 0x8f, KvmStructs.KvmLapicState.SIZE));
    /** Sets what CPUID reports to the guest ({@code struct kvm_cpuid2}; api.rst, KVM_SET_CPUID2). */
    public static final Ioctl KVM_SET_CPUID2 = new Ioctl("KVM_SET_CPUID2", iow(KVMIO, 0x90, KvmStructs.KvmCpuid2.SIZE));
    /** Reads back the CPUID entries set on the vCPU ({@code struct kvm_cpuid2}, in/out). */
    public static final Ioctl KVM_GET_CPUID2 = new Ioctl("KVM_GET_CPUID2", iowr(KVMIO, 0x91, KvmStructs.KvmCpuid2.SIZE));
    /** Reads the vCPU's multiprocessing state ({@code struct kvm_mp_state}; api.rst 4.38). */
    public static final Ioctl KVM_GET_MP_STATE = new Ioctl("KVM_GET_MP_STATE", ior(KVMIO, 0x98, KvmStructs.KvmMpState.SIZE));
    /** Sets the vCPU's multiprocessing state ({@code struct kvm_mp_state}; api.rst 4.39). */
    public static final Ioctl KVM_SET_MP_STATE = new Ioctl("KVM_SET_MP_STATE", iow(KVMIO, 0x99, KvmStructs.KvmMpState.SIZE));

    private KvmIoctls() {
    }
}
