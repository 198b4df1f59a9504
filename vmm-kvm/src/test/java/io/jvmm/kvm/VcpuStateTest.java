package io.jvmm.kvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jvmm.kvm.sys.KvmConstants;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The vCPU state a kernel loader sets: registers, FPU, MSRs, CPUID, LAPIC, and VM-level setup. */
class VcpuStateTest {
    private static final int IA32_SYSENTER_CS = 0x174;
    private static final int IA32_SYSENTER_ESP = 0x175;
    private static final int KVM_CPUID_SIGNATURE = 0x4000_0000;

    @BeforeEach
    void needsKvm() {
        var reason = Kvm.unavailableReason();
        assumeTrue(reason.isEmpty(), () -> "KVM is not usable here: " + reason.orElse(""));
    }

    @Test
    void systemQueriesAnswer() {
        try (Kvm kvm = Kvm.open()) {
            assertEquals(KvmConstants.KVM_API_VERSION, kvm.apiVersion());
            assertTrue(kvm.vcpuMmapSize() >= io.jvmm.kvm.sys.KvmStructs.KvmRun.SIZE);
            assertTrue(kvm.hasExtension(KvmCap.USER_MEMORY));
            assertTrue(kvm.hasExtension(KvmCap.IMMEDIATE_EXIT), "the kick relies on immediate_exit");
            assertTrue(kvm.maxMemorySlots() > 1);
            assertTrue(kvm.maxVcpus() >= 1);
            List<CpuidEntry> cpuid = kvm.supportedCpuid();
            assertTrue(cpuid.stream().anyMatch(e -> e.function() == 0), "leaf 0 present");
            assertTrue(kvm.msrIndexList().length > 0);
        }
    }

    @Test
    void registersFpuMsrsAndCpuidRoundTrip() {
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm(); Vcpu vcpu = vm.createVcpu(0)) {
            Regs regs = vcpu.getRegs().rax(1).rbx(2).rcx(3).rdx(4).rsi(0x7000).rdi(6).r8(8).r15(15)
                .rip(0x10_0200).rsp(0x8ff0).rflags(0x2);
            vcpu.setRegs(regs);
            assertEquals(regs, vcpu.getRegs());

            Sregs sregs = vcpu.getSregs();
            sregs.cr0(sregs.cr0() | 1); // PE
            vcpu.setSregs(sregs);
            assertEquals(sregs.cs(), vcpu.getSregs().cs());
            assertTrue((vcpu.getSregs().cr0() & 1) != 0);

            byte[] xmm3 = new byte[16];
            for (int i = 0; i < 16; i++) {
                xmm3[i] = (byte) (i * 17);
            }
            vcpu.setFpu(Fpu.bootDefaults().xmm(3, xmm3));
            Fpu fpu = vcpu.getFpu();
            assertEquals(Fpu.X87_DEFAULT_FCW, fpu.fcw());
            // MXCSR is not transferred by KVM_GET/SET_FPU (see Fpu); everything else is.
            assertArrayEquals(xmm3, fpu.xmm(3));

            vcpu.setMsrs(List.of(new MsrEntry(IA32_SYSENTER_CS, 0x10), new MsrEntry(IA32_SYSENTER_ESP, 0x1234_5678)));
            assertEquals(List.of(new MsrEntry(IA32_SYSENTER_CS, 0x10), new MsrEntry(IA32_SYSENTER_ESP, 0x1234_5678)),
                vcpu.getMsrs(IA32_SYSENTER_CS, IA32_SYSENTER_ESP));
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> vcpu.getMsrs(IA32_SYSENTER_CS, 0x7fff_0000));
            assertTrue(bad.getMessage().contains("0x7fff0000"), bad.getMessage());

            // Patch the supported CPUID the way a kernel loader does: hypervisor bit, APIC id.
            List<CpuidEntry> patched = new ArrayList<>();
            for (CpuidEntry e : kvm.supportedCpuid()) {
                if (e.function() == 1) {
                    e = e.withEcx(e.ecx() | (1 << 31)).withEbx((e.ebx() & 0x00ff_ffff) | (vcpu.id() << 24));
                }
                patched.add(e);
            }
            vcpu.setCpuid2(patched);
            CpuidEntry leaf1 = vcpu.getCpuid2().stream().filter(e -> e.function() == 1).findFirst().orElseThrow();
            assertTrue((leaf1.ecx() & (1 << 31)) != 0);
            assertTrue(vcpu.getCpuid2().stream().anyMatch(e -> e.function() == KVM_CPUID_SIGNATURE)
                || kvm.supportedCpuid().stream().noneMatch(e -> e.function() == KVM_CPUID_SIGNATURE));
        }
    }

    @Test
    void lapicLint0CanBeMadeExtIntAndLint1Nmi() {
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm()) {
            vm.setTssAddr(0xfffb_d000L); // below 4 GiB, clear of RAM (api.rst 4.44)
            vm.createIrqchip();
            vm.createPit2(KvmConstants.KVM_PIT_SPEAKER_DUMMY);
            try (Vcpu vcpu = vm.createVcpu(0)) {
                LapicState lapic = vcpu.getLapic()
                    .lvtDeliveryMode(LapicState.APIC_LVT0, LapicState.DELIVERY_MODE_EXTINT)
                    .lvtDeliveryMode(LapicState.APIC_LVT1, LapicState.DELIVERY_MODE_NMI);
                vcpu.setLapic(lapic);
                LapicState back = vcpu.getLapic();
                assertEquals(LapicState.DELIVERY_MODE_EXTINT, back.register(LapicState.APIC_LVT0) & LapicState.DELIVERY_MODE_MASK);
                assertEquals(LapicState.DELIVERY_MODE_NMI, back.register(LapicState.APIC_LVT1) & LapicState.DELIVERY_MODE_MASK);
                assertEquals(KvmConstants.KVM_MP_STATE_RUNNABLE, vcpu.getMpState());
            }
            vm.irqLine(4, true);
            vm.irqLine(4, false);
        }
    }

    @Test
    void interruptControllerCallsNeedTheIrqchip() {
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm()) {
            assertFalse(vm.hasIrqchip());
            assertThrows(IllegalStateException.class, () -> vm.irqLine(4, true));
            assertThrows(IllegalStateException.class, () -> vm.createPit2(0));
            try (Vcpu vcpu = vm.createVcpu(0)) {
                KvmException e = assertThrows(KvmException.class, vcpu::getLapic);
                assertEquals("KVM_GET_LAPIC", e.ioctl());
                assertTrue(e.getMessage().startsWith("KVM_GET_LAPIC failed: E"), e.getMessage());
            }
        }
    }

    @Test
    void memorySlotMisuseIsRefusedBeforeReachingTheKernel() {
        try (Kvm kvm = Kvm.open(); Vm vm = kvm.createVm();
             io.jvmm.memory.MemoryMapping a = io.jvmm.memory.MemoryMapping.builder(0x10000).build();
             io.jvmm.memory.MemoryMapping b = io.jvmm.memory.MemoryMapping.builder(0x10000).build()) {
            vm.setUserMemoryRegion(0, 0, 0x10000, a);
            IllegalArgumentException overlap = assertThrows(IllegalArgumentException.class, () -> vm.setUserMemoryRegion(1, 0, 0x18000, b));
            assertTrue(overlap.getMessage().contains("overlaps"), overlap.getMessage());
            assertThrows(IllegalStateException.class, () -> vm.setUserMemoryRegion(0, 0, 0x40000, b));
            assertThrows(IllegalArgumentException.class, () -> vm.setUserMemoryRegion(1, 0, 0x40001, b));
            assertThrows(IllegalArgumentException.class, () -> vm.setUserMemoryRegion(-1, 0, 0x40000, b));
            assertThrows(IllegalArgumentException.class, () -> vm.setUserMemoryRegion(1, 0x80, 0x40000, b));
            // Turning on dirty logging for the same region is allowed.
            vm.setUserMemoryRegion(0, KvmConstants.KVM_MEM_LOG_DIRTY_PAGES, 0x10000, a);
            assertEquals(KvmConstants.KVM_MEM_LOG_DIRTY_PAGES, vm.memorySlots().get(0).flags());
            assertEquals(1, vm.freeSlot());
        }
    }
}
