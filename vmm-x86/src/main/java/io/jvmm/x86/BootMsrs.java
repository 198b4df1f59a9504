package io.jvmm.x86;

import io.jvmm.kvm.MsrEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.IntPredicate;

/**
 * The model-specific registers a VMM sets before entering a Linux kernel without firmware, and
 * their values: what firmware or a CPU reset would otherwise leave there (Firecracker's and
 * kvmtool's boot MSR set). Indices and bits from the Intel SDM Vol. 4, "Model-Specific Registers",
 * and Vol. 3A, 11.11 "Memory Type Range Registers".
 *
 * <ul>
 *   <li>SYSENTER_CS/ESP/EIP, STAR, LSTAR, CSTAR, SYSCALL_MASK, KERNEL_GS_BASE = 0: no system-call
 *       entry until the kernel installs its own;</li>
 *   <li>TSC = 0: what a reset leaves; KVM takes a host-initiated write of 0 as "keep this vCPU's
 *       TSC in step with the VM's others" (arch/x86/kvm/x86.c, kvm_synchronize_tsc), so the
 *       vCPUs of one guest agree;</li>
 *   <li>MISC_ENABLE = fast strings (bit 0), which firmware enables and Linux expects for
 *       {@code rep movs}/{@code stos};</li>
 *   <li>MTRR_DEF_TYPE = MTRRs enabled, default type write-back: with no variable ranges all RAM is
 *       write-back, as firmware would have set it; left disabled, Linux would treat memory as
 *       uncached.</li>
 * </ul>
 */
public final class BootMsrs {
    /** IA32_TIME_STAMP_COUNTER: the TSC; a boot MSR, set to 0. */
    public static final int IA32_TSC = 0x10;
    /** IA32_APIC_BASE: the local APIC's base address and enable bits; not among the boot MSRs {@link #all()} lists. */
    public static final int IA32_APIC_BASE = 0x1b;
    /** IA32_SYSENTER_CS: the SYSENTER code segment selector; a boot MSR, set to 0. */
    public static final int IA32_SYSENTER_CS = 0x174;
    /** IA32_SYSENTER_ESP: the SYSENTER stack pointer; a boot MSR, set to 0. */
    public static final int IA32_SYSENTER_ESP = 0x175;
    /** IA32_SYSENTER_EIP: the SYSENTER entry point; a boot MSR, set to 0. */
    public static final int IA32_SYSENTER_EIP = 0x176;
    /** IA32_MISC_ENABLE: a boot MSR, set to {@link #MISC_ENABLE_FAST_STRINGS}. */
    public static final int IA32_MISC_ENABLE = 0x1a0;
    /** IA32_MTRR_DEF_TYPE: a boot MSR, set to {@link #MTRR_ENABLE} | {@link #MTRR_TYPE_WRITE_BACK}. */
    public static final int IA32_MTRR_DEF_TYPE = 0x2ff;
    /** IA32_EFER: LME, LMA, SCE, NXE; not among the boot MSRs (it is set through {@code KVM_SET_SREGS}). */
    public static final int IA32_EFER = 0xc000_0080;
    /** IA32_STAR: SYSCALL/SYSRET segment selectors (and the 32-bit SYSCALL target); a boot MSR, set to 0. */
    public static final int MSR_STAR = 0xc000_0081;
    /** IA32_LSTAR: the 64-bit SYSCALL entry point; a boot MSR, set to 0. */
    public static final int MSR_LSTAR = 0xc000_0082;
    /** IA32_CSTAR: the compatibility-mode SYSCALL entry point (AMD; ignored by Intel); a boot MSR, set to 0. */
    public static final int MSR_CSTAR = 0xc000_0083;
    /** IA32_FMASK: the RFLAGS bits SYSCALL clears; a boot MSR, set to 0. */
    public static final int MSR_SYSCALL_MASK = 0xc000_0084;
    /** IA32_KERNEL_GS_BASE: the GS base SWAPGS swaps in; a boot MSR, set to 0. */
    public static final int MSR_KERNEL_GS_BASE = 0xc000_0102;

    /** IA32_MISC_ENABLE bit 0: fast-string operations enabled. */
    public static final long MISC_ENABLE_FAST_STRINGS = 1L;
    /** IA32_MTRR_DEF_TYPE bit 11: MTRRs enabled. */
    public static final long MTRR_ENABLE = 1L << 11;
    /** Memory type 6: write-back (SDM Vol. 3A, table 11-8). */
    public static final long MTRR_TYPE_WRITE_BACK = 6;

    private static final List<MsrEntry> ALL = List.of(
        new MsrEntry(IA32_SYSENTER_CS, 0),
        new MsrEntry(IA32_SYSENTER_ESP, 0),
        new MsrEntry(IA32_SYSENTER_EIP, 0),
        new MsrEntry(MSR_STAR, 0),
        new MsrEntry(MSR_CSTAR, 0),
        new MsrEntry(MSR_KERNEL_GS_BASE, 0),
        new MsrEntry(MSR_SYSCALL_MASK, 0),
        new MsrEntry(MSR_LSTAR, 0),
        new MsrEntry(IA32_TSC, 0),
        new MsrEntry(IA32_MISC_ENABLE, MISC_ENABLE_FAST_STRINGS),
        new MsrEntry(IA32_MTRR_DEF_TYPE, MTRR_ENABLE | MTRR_TYPE_WRITE_BACK));

    private BootMsrs() {
    }

    /** {@return every boot MSR with its value, in the order they are written; unmodifiable} */
    public static List<MsrEntry> all() {
        return ALL;
    }

    /**
     * The boot MSRs this KVM handles: those in its {@code KVM_GET_MSR_INDEX_LIST} (api.rst 4.3),
     * and of the others those {@code handledAnyway} accepts. The second test exists because the
     * index list names the MSRs KVM saves and restores for migration, which leaves out some it
     * emulates: the MTRRs, notably, are never listed (userspace migrates them separately), yet
     * KVM emulates IA32_MTRR_DEF_TYPE whenever CPUID reports MTRR. A VMM passes a probe such as
     * "{@code KVM_GET_MSRS} of that one index succeeds".
     *
     * @param msrIndexList  what {@code Kvm.msrIndexList()} returned
     * @param handledAnyway decides, for an unlisted boot MSR, whether to set it
     * @return the boot MSRs to write, with their values, in the order of {@link #all()}; unmodifiable
     * @throws NullPointerException when {@code msrIndexList} or {@code handledAnyway} is null
     */
    public static List<MsrEntry> supported(int[] msrIndexList, IntPredicate handledAnyway) {
        Objects.requireNonNull(msrIndexList, "msrIndexList");
        Objects.requireNonNull(handledAnyway, "handledAnyway");
        List<MsrEntry> out = new ArrayList<>(ALL.size());
        for (MsrEntry e : ALL) {
            if (listed(msrIndexList, e.index()) || handledAnyway.test(e.index())) {
                out.add(e);
            }
        }
        return List.copyOf(out);
    }

    private static boolean listed(int[] list, int index) {
        for (int i : list) {
            if (i == index) {
                return true;
            }
        }
        return false;
    }
}
