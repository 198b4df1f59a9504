package io.jvmm.x86;

import io.jvmm.kvm.CpuidEntry;
import io.jvmm.kvm.Fpu;
import io.jvmm.kvm.LapicState;
import io.jvmm.kvm.MsrEntry;
import io.jvmm.kvm.Regs;
import io.jvmm.kvm.Vcpu;
import io.jvmm.loader.LoadedKernel;
import io.jvmm.memory.GuestMemory;
import java.util.List;
import java.util.Objects;

/**
 * Prepares vCPUs to run a Linux kernel with no firmware in front of it, as Firecracker and kvmtool
 * do: what a BIOS would otherwise have set up (CPUID topology, MSRs, FPU control words, the local
 * APIC's legacy wiring), then the boot vCPU's entry state of boot.rst's "64-bit Boot Protocol".
 *
 * <p>Order matters and follows api.rst: {@code KVM_SET_CPUID2} first (4.73: KVM checks MSR writes
 * and sizes XSAVE state against it), then MSRs (4.19), FPU (4.23) and LAPIC (4.57, which needs
 * the in-kernel irqchip, 4.24), and registers last.
 */
public final class LinuxVcpuSetup {
    private LinuxVcpuSetup() {
    }

    /**
     * Sets the CPUID, boot MSRs, FPU and LAPIC of one vCPU (every vCPU of a Linux guest needs
     * this; only the boot vCPU then gets {@link #enterKernel}).
     *
     * <ul>
     *   <li>CPUID: {@link GuestCpuid#forVcpu}(supported, vCPU id, vcpuCount);</li>
     *   <li>MSRs: {@link BootMsrs#supported} — the listed ones, plus unlisted ones KVM can read
     *       back on this vCPU ({@code KVM_GET_MSRS} of that index, after CPUID is set);</li>
     *   <li>FPU: {@link Fpu#bootDefaults()} (FCW 0x37f; {@code KVM_SET_FPU} ignores MXCSR, and a
     *       new vCPU already holds the reset MXCSR 0x1f80 — see {@link Fpu});</li>
     *   <li>LAPIC: LVT LINT0 delivery mode ExtINT, LINT1 NMI, the wiring of a PC (Intel MP spec
     *       1.4, 3.6.2.2 "Virtual Wire Mode"): with no MP table Linux runs the APIC in virtual wire
     *       mode and receives the 8259's interrupts (timer, UART) through LINT0.</li>
     * </ul>
     *
     * @param vcpu           the vCPU to configure; its {@link Vcpu#id()} is its APIC id
     * @param supportedCpuid what {@code Kvm.supportedCpuid()} returned
     * @param msrIndexList   what {@code Kvm.msrIndexList()} returned
     * @param vcpuCount      how many vCPUs the guest has, 1..255
     * @throws NullPointerException when an argument is null
     * @throws IllegalArgumentException when {@code vcpuCount} is not in 1..255, the vCPU's id is not below
     *     it, {@code supportedCpuid} lacks leaf 0 or 1 (see {@link GuestCpuid#forVcpu}), or KVM refuses a boot MSR
     * @throws io.jvmm.kvm.KvmException when KVM refuses a step (e.g. LAPIC without irqchip)
     * @throws io.jvmm.core.ClosedException when {@code vcpu} is closed
     */
    public static void configureVcpu(Vcpu vcpu, List<CpuidEntry> supportedCpuid, int[] msrIndexList, int vcpuCount) {
        Objects.requireNonNull(vcpu, "vcpu");
        vcpu.setCpuid2(GuestCpuid.forVcpu(supportedCpuid, vcpu.id(), vcpuCount));
        List<MsrEntry> msrs = BootMsrs.supported(msrIndexList, index -> readable(vcpu, index));
        vcpu.setMsrs(msrs);
        vcpu.setFpu(Fpu.bootDefaults());
        vcpu.setLapic(vcpu.getLapic()
            .lvtDeliveryMode(LapicState.APIC_LVT0, LapicState.DELIVERY_MODE_EXTINT)
            .lvtDeliveryMode(LapicState.APIC_LVT1, LapicState.DELIVERY_MODE_NMI));
    }

    private static boolean readable(Vcpu vcpu, int msr) {
        try {
            vcpu.getMsrs(msr);
            return true;
        } catch (IllegalArgumentException unsupported) {
            return false;
        }
    }

    /**
     * The boot vCPU's entry state for {@code kernel} (boot.rst, "64-bit Boot Protocol"): the boot
     * GDT, an empty IDT and the identity map of the low 4 GiB written to {@code memory}; 64-bit
     * long mode with paging (CR0 PE|ET|NE|PG, CR4 PAE, EFER LME|LMA, CR3 the PML4); flat code and
     * data segments; interrupts off; RIP = {@link LoadedKernel#entry()}, RSI =
     * {@link LoadedKernel#zeroPage()}, RSP = RBP = {@link X86Layout#BOOT_STACK_POINTER}, every
     * other general register 0.
     *
     * @param boot   the boot vCPU, already {@link #configureVcpu configured}
     * @param memory guest memory the kernel was loaded into; the GDT, IDT and page tables are written there
     * @param kernel where the loader put the kernel and its zero page
     * @throws NullPointerException when {@code kernel} is null
     * @throws IllegalArgumentException when the kernel needs more than the identity map covers
     * @throws io.jvmm.memory.GuestMemoryException when the tables do not fit in {@code memory}
     * @throws io.jvmm.kvm.KvmException when KVM refuses the registers
     * @throws io.jvmm.core.ClosedException when {@code boot} or {@code memory} is closed
     */
    public static void enterKernel(Vcpu boot, GuestMemory memory, LoadedKernel kernel) {
        Objects.requireNonNull(kernel, "kernel");
        if (kernel.identityMapEnd() > IdentityPageTables.mappedBytes()) {
            throw new IllegalArgumentException(String.format(
                "the kernel needs [0, 0x%x) identity-mapped at entry, the boot page tables map [0, 0x%x)",
                kernel.identityMapEnd(), IdentityPageTables.mappedBytes()));
        }
        X86Cpu.enterLongMode(boot, memory, kernel.entry().offset(), X86Layout.BOOT_STACK_POINTER);
        Regs regs = boot.getRegs();
        boot.setRegs(regs.rsi(kernel.zeroPage().offset()));
    }
}
