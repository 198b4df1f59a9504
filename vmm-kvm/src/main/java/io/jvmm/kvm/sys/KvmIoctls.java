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
    public static final Ioctl KVM_GET_API_VERSION = new Ioctl("KVM_GET_API_VERSION", io(KVMIO, 0x00));
    public static final Ioctl KVM_CREATE_VM = new Ioctl("KVM_CREATE_VM", io(KVMIO, 0x01));
    public static final Ioctl KVM_GET_MSR_INDEX_LIST = new Ioctl("KVM_GET_MSR_INDEX_LIST", iowr(KVMIO, 0x02, KvmStructs.KvmMsrList.SIZE));
    public static final Ioctl KVM_CHECK_EXTENSION = new Ioctl("KVM_CHECK_EXTENSION", io(KVMIO, 0x03));
    public static final Ioctl KVM_GET_VCPU_MMAP_SIZE = new Ioctl("KVM_GET_VCPU_MMAP_SIZE", io(KVMIO, 0x04));
    public static final Ioctl KVM_GET_SUPPORTED_CPUID = new Ioctl("KVM_GET_SUPPORTED_CPUID", iowr(KVMIO, 0x05, KvmStructs.KvmCpuid2.SIZE));

    // ---- VM ioctls ----
    public static final Ioctl KVM_CREATE_VCPU = new Ioctl("KVM_CREATE_VCPU", io(KVMIO, 0x41));
    public static final Ioctl KVM_GET_DIRTY_LOG = new Ioctl("KVM_GET_DIRTY_LOG", iow(KVMIO, 0x42, KvmStructs.KvmDirtyLog.SIZE));
    public static final Ioctl KVM_SET_USER_MEMORY_REGION = new Ioctl("KVM_SET_USER_MEMORY_REGION", iow(KVMIO, 0x46, KvmStructs.KvmUserspaceMemoryRegion.SIZE));
    public static final Ioctl KVM_SET_TSS_ADDR = new Ioctl("KVM_SET_TSS_ADDR", io(KVMIO, 0x47));
    /** The argument is a pointer to a {@code __u64} guest address. */
    public static final Ioctl KVM_SET_IDENTITY_MAP_ADDR = new Ioctl("KVM_SET_IDENTITY_MAP_ADDR", iow(KVMIO, 0x48, Long.BYTES));
    public static final Ioctl KVM_CREATE_IRQCHIP = new Ioctl("KVM_CREATE_IRQCHIP", io(KVMIO, 0x60));
    public static final Ioctl KVM_IRQ_LINE = new Ioctl("KVM_IRQ_LINE", iow(KVMIO, 0x61, KvmStructs.KvmIrqLevel.SIZE));
    public static final Ioctl KVM_CREATE_PIT2 = new Ioctl("KVM_CREATE_PIT2", iow(KVMIO, 0x77, KvmStructs.KvmPitConfig.SIZE));
    public static final Ioctl KVM_IRQFD = new Ioctl("KVM_IRQFD", iow(KVMIO, 0x76, KvmStructs.KvmIrqfd.SIZE));
    public static final Ioctl KVM_IOEVENTFD = new Ioctl("KVM_IOEVENTFD", iow(KVMIO, 0x79, KvmStructs.KvmIoeventfd.SIZE));

    // ---- vCPU ioctls ----
    public static final Ioctl KVM_RUN = new Ioctl("KVM_RUN", io(KVMIO, 0x80));
    public static final Ioctl KVM_GET_REGS = new Ioctl("KVM_GET_REGS", ior(KVMIO, 0x81, KvmStructs.KvmRegs.SIZE));
    public static final Ioctl KVM_SET_REGS = new Ioctl("KVM_SET_REGS", iow(KVMIO, 0x82, KvmStructs.KvmRegs.SIZE));
    public static final Ioctl KVM_GET_SREGS = new Ioctl("KVM_GET_SREGS", ior(KVMIO, 0x83, KvmStructs.KvmSregs.SIZE));
    public static final Ioctl KVM_SET_SREGS = new Ioctl("KVM_SET_SREGS", iow(KVMIO, 0x84, KvmStructs.KvmSregs.SIZE));
    public static final Ioctl KVM_GET_MSRS = new Ioctl("KVM_GET_MSRS", iowr(KVMIO, 0x88, KvmStructs.KvmMsrs.SIZE));
    public static final Ioctl KVM_SET_MSRS = new Ioctl("KVM_SET_MSRS", iow(KVMIO, 0x89, KvmStructs.KvmMsrs.SIZE));
    public static final Ioctl KVM_GET_FPU = new Ioctl("KVM_GET_FPU", ior(KVMIO, 0x8c, KvmStructs.KvmFpu.SIZE));
    public static final Ioctl KVM_SET_FPU = new Ioctl("KVM_SET_FPU", iow(KVMIO, 0x8d, KvmStructs.KvmFpu.SIZE));
    public static final Ioctl KVM_GET_LAPIC = new Ioctl("KVM_GET_LAPIC", ior(KVMIO, 0x8e, KvmStructs.KvmLapicState.SIZE));
    public static final Ioctl KVM_SET_LAPIC = new Ioctl("KVM_SET_LAPIC", iow(KVMIO, 0x8f, KvmStructs.KvmLapicState.SIZE));
    public static final Ioctl KVM_SET_CPUID2 = new Ioctl("KVM_SET_CPUID2", iow(KVMIO, 0x90, KvmStructs.KvmCpuid2.SIZE));
    public static final Ioctl KVM_GET_CPUID2 = new Ioctl("KVM_GET_CPUID2", iowr(KVMIO, 0x91, KvmStructs.KvmCpuid2.SIZE));
    public static final Ioctl KVM_GET_MP_STATE = new Ioctl("KVM_GET_MP_STATE", ior(KVMIO, 0x98, KvmStructs.KvmMpState.SIZE));
    public static final Ioctl KVM_SET_MP_STATE = new Ioctl("KVM_SET_MP_STATE", iow(KVMIO, 0x99, KvmStructs.KvmMpState.SIZE));

    private KvmIoctls() {
    }
}
