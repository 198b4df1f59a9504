package io.jvmm.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvmm.kvm.CpuidEntry;
import io.jvmm.kvm.Kvm;
import io.jvmm.kvm.LapicState;
import io.jvmm.kvm.MsrEntry;
import io.jvmm.kvm.Vcpu;
import io.jvmm.kvm.Vm;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What {@link LinuxVcpuSetup#configureVcpu} leaves in real vCPUs, read back through KVM. */
class LinuxVcpuSetupTest {
    @BeforeEach
    void needsKvm() {
        var reason = Kvm.unavailableReason();
        assumeTrue(reason.isEmpty(), () -> "KVM is not usable here: " + reason.orElse(""));
    }

    @Test
    void eachVcpuGetsItsOwnApicIdAndTheSharedBootState() {
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm()) {
            vm.createIrqchip();
            List<CpuidEntry> supported = kvm.supportedCpuid();
            int[] msrList = kvm.msrIndexList();
            try (Vcpu v0 = vm.createVcpu(0); Vcpu v1 = vm.createVcpu(1)) {
                LinuxVcpuSetup.configureVcpu(v0, supported, msrList, 2);
                LinuxVcpuSetup.configureVcpu(v1, supported, msrList, 2);

                for (Vcpu v : List.of(v0, v1)) {
                    // Compared field by field: PVM adds feature bits of its own to what it reports back.
                    List<CpuidEntry> cpuid = v.getCpuid2();
                    CpuidEntry leaf1 = find(cpuid, 1, 0);
                    assertEquals(v.id(), leaf1.ebx() >>> 24, "initial APIC id");
                    assertEquals(2, (leaf1.ebx() >>> 16) & 0xff, "logical processors");
                    assertTrue(leaf1.ecx() < 0, "hypervisor bit");
                    assertEquals(find(GuestCpuid.forVcpu(supported, v.id(), 2), 0x4000_0000, 0), find(cpuid, 0x4000_0000, 0));
                    if (supported.stream().anyMatch(e -> e.function() == 0xb)) {
                        assertEquals(v.id(), find(cpuid, 0xb, 0).edx(), "x2APIC id");
                        assertEquals(v.id(), find(cpuid, 0xb, 1).edx());
                        assertEquals(2, find(cpuid, 0xb, 1).ebx(), "cores");
                    }

                    List<MsrEntry> expected = BootMsrs.supported(msrList, index -> readable(v, index));
                    for (MsrEntry e : expected) {
                        long actual = v.getMsrs(e.index()).get(0).data();
                        // Not the TSC: KVM takes a host-initiated write of 0 as "synchronize with
                        // the VM's other vCPUs" (arch/x86/kvm/x86.c, kvm_synchronize_tsc), and PVM
                        // does not offset the guest TSC at all, so no fixed value reads back.
                        if (e.index() != BootMsrs.IA32_TSC) {
                            assertEquals(e, new MsrEntry(e.index(), actual));
                        }
                    }
                    assertEquals(0x37f, v.getFpu().fcw());
                    LapicState lapic = v.getLapic();
                    assertEquals(LapicState.DELIVERY_MODE_EXTINT, lapic.register(LapicState.APIC_LVT0) & LapicState.DELIVERY_MODE_MASK);
                    assertEquals(LapicState.DELIVERY_MODE_NMI, lapic.register(LapicState.APIC_LVT1) & LapicState.DELIVERY_MODE_MASK);
                }
            }
        }
    }

    private static CpuidEntry find(List<CpuidEntry> entries, int function, int index) {
        return entries.stream().filter(e -> e.function() == function && e.index() == index).findFirst()
            .orElseThrow(() -> new AssertionError(String.format("no CPUID leaf 0x%x.%d", function, index)));
    }

    private static boolean readable(Vcpu v, int msr) {
        try {
            v.getMsrs(msr);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Test
    void theMtrrDefaultTypeIsWriteBackWithMtrrsEnabled() {
        // KVM emulates IA32_MTRR_DEF_TYPE but leaves it out of KVM_GET_MSR_INDEX_LIST: the setup
        // must find it by probing, or Linux would run with MTRRs disabled (all memory uncached).
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm()) {
            vm.createIrqchip();
            try (Vcpu v = vm.createVcpu(0)) {
                LinuxVcpuSetup.configureVcpu(v, kvm.supportedCpuid(), kvm.msrIndexList(), 1);
                assertEquals(BootMsrs.MTRR_ENABLE | BootMsrs.MTRR_TYPE_WRITE_BACK,
                    v.getMsrs(BootMsrs.IA32_MTRR_DEF_TYPE).get(0).data());
            }
        }
    }
}
