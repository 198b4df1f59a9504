package io.jvmm.machine;

import io.jvmm.kvm.Kvm;
import io.jvmm.machine.KvmTestSupport;
import io.jvmm.kvm.Regs;
import io.jvmm.machine.SyntheticKernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.loader.E820Entry;
import io.jvmm.loader.LoadedKernel;
import io.jvmm.x86.BootMsrs;
import io.jvmm.x86.X86Cpu;
import io.jvmm.x86.X86Layout;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proves the loader and the Linux vCPU setup on any KVM, including PVM hosts where a stock kernel
 * cannot run: {@link SyntheticKernel}, a bzImage whose 64-bit entry reports what it was given, is
 * booted through {@link Machine} exactly as a real kernel is (GuestConfig.kernel, irqchip and PIT,
 * patched CPUID, boot MSRs, LAPIC wiring), and every field it reports is checked against what the
 * loader promised ({@link LoadedKernel}), the files, and the boot protocol.
 */
class SyntheticKernelBootTest {
    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final long MEMORY = 32L << 20;
    private static final String CMDLINE = "console=ttyS0 reboot=k panic=-1 jvmm.synthetic=1 quoted=\"a b\" last";

    @BeforeEach
    void needsKvm() {
        KvmTestSupport.assumeKvm();
    }

    @Test
    void kernelEnteredByTheBootProtocolFindsEverythingTheLoaderPromised(@TempDir Path dir) throws Exception {
        Path kernelFile = dir.resolve("bzImage");
        Files.write(kernelFile, SyntheticKernel.bzImage());
        // A few KiB of random bytes, an odd length so the size must be exact: PVM emulates every
        // kernel-mode instruction, and the checksum loop costs 7 per byte.
        byte[] initrd = new byte[3001];
        new Random(4).nextBytes(initrd);
        Path initrdFile = dir.resolve("initrd.img");
        Files.write(initrdFile, initrd);

        ByteArrayOutputStream serial = new ByteArrayOutputStream();
        GuestConfig config = GuestConfig.builder().memorySize(MEMORY)
            .kernel(kernelFile, Optional.of(initrdFile), CMDLINE).serialOutput(serial).build();
        try (Kvm kvm = Kvm.open(); Machine m = Machine.create(kvm, config)) {
            LoadedKernel loaded = m.loadedKernel().orElseThrow();
            assertTrue(m.vm().hasIrqchip(), "a kernel always gets the in-kernel irqchip");
            Regs before = m.vcpus().get(0).getRegs();
            assertEquals(X86Cpu.RFLAGS_RESERVED, before.rflags(), "interrupts off at entry");

            RunResult r = m.run(LIMIT);
            String output = serial.toString(StandardCharsets.US_ASCII);

            assertEquals(StopReason.RESET, r.reason(), r.describe() + "\n" + output);
            Map<String, List<String>> f = SyntheticKernel.parse(output);
            assertTrue(f.containsKey(SyntheticKernel.DONE), "the report ran to its end:\n" + output);

            // Entry state (boot.rst, "64-bit Boot Protocol").
            assertEquals(0x10_0200L, loaded.entry().offset(), "bzImage entry: 1 MiB + 0x200");
            assertEquals(loaded.entry().offset(), hex(f, "entry"), "the CPU started at the 64-bit entry");
            assertEquals(loaded.zeroPage().offset(), hex(f, "rsi"), "RSI points at the zero page");
            assertEquals(X86Layout.BOOT_STACK_POINTER, hex(f, "rsp"));
            assertEquals(X86Cpu.CR0_PE | X86Cpu.CR0_ET | X86Cpu.CR0_NE | X86Cpu.CR0_PG, hex(f, "cr0"), "protected mode with paging");
            assertEquals(X86Layout.PML4_ADDR, hex(f, "cr3"), "the identity map's PML4");
            assertEquals(X86Cpu.CR4_PAE, hex(f, "cr4"));
            assertEquals(X86Cpu.EFER_LME | X86Cpu.EFER_LMA, hex(f, "efer"), "long mode active");

            // Boot MSRs as the guest reads them.
            assertEquals(BootMsrs.MISC_ENABLE_FAST_STRINGS, hex(f, "misc_enable") & BootMsrs.MISC_ENABLE_FAST_STRINGS);
            assertEquals(BootMsrs.MTRR_ENABLE | BootMsrs.MTRR_TYPE_WRITE_BACK, hex(f, "mtrr_def_type"));
            assertEquals(0, hex(f, "sysenter_cs"));
            assertEquals(0, hex(f, "lstar"));

            // CPUID as patched: APIC id 0, hypervisor bit, KVM signature.
            assertEquals(0, hex(f, "cpuid1_ebx") >>> 24, "initial APIC id of vCPU 0");
            assertEquals(1, (hex(f, "cpuid1_ebx") >>> 16) & 0xff, "one logical processor");
            assertEquals(1L << 31, hex(f, "cpuid1_ecx") & (1L << 31), "hypervisor bit");
            assertTrue(hex(f, "cpuid40_eax") >= 0x4000_0000L, "max hypervisor leaf");
            assertEquals("KVMKVMKVM\0\0\0", signature(hex(f, "cpuid40_ebx"), hex(f, "cpuid40_ecx"), hex(f, "cpuid40_edx")));

            // The local APIC as a PC wires it.
            assertEquals(0, hex(f, "apic_id") >>> 24);
            assertEquals(0x700, hex(f, "apic_lvt0") & 0x700, "LINT0 ExtINT");
            assertEquals(0x400, hex(f, "apic_lvt1") & 0x700, "LINT1 NMI");

            // The zero page.
            assertEquals(0xff, hex(f, "type_of_loader"));
            assertEquals(loaded.cmdline().offset(), hex(f, "cmd_line_ptr"));
            assertEquals(List.of(CMDLINE), f.get("cmdline"));
            long initrdAddr = loaded.initrd().orElseThrow().start().offset();
            assertEquals(initrdAddr, hex(f, "ramdisk_image"));
            assertEquals(initrd.length, hex(f, "ramdisk_size"));
            assertEquals(0, hex(f, "ext_ramdisk_image"));
            assertEquals(0, initrdAddr % 4096, "page aligned");
            assertTrue(initrdAddr + initrd.length <= MEMORY && initrdAddr > MEMORY - 8192, "placed at the top of RAM: 0x" + Long.toHexString(initrdAddr));
            assertEquals(SyntheticKernel.checksum(initrd), hex(f, "initrd_checksum"), "the guest read the initrd's bytes");

            // e820 as the guest read it: what the loader reported, and what a PC has.
            List<String> expectedE820 = new ArrayList<>();
            for (E820Entry e : loaded.e820()) {
                expectedE820.add(String.format("%016x %016x %016x", e.addr(), e.size(), e.type().code()));
            }
            assertEquals(expectedE820.size(), hex(f, "e820_entries"));
            assertEquals(expectedE820, f.get("e820"));
            assertEquals(List.of(
                String.format("%016x %016x %016x", 0, 0x9fc00, 1),
                String.format("%016x %016x %016x", 0x9fc00, 0x100000 - 0x9fc00, 2),
                String.format("%016x %016x %016x", 0x100000, MEMORY - 0x100000, 1)), f.get("e820"));

            assertTrue(m.bootCompleteSinceVmCreation().isPresent(), "the guest wrote 123 to port 0x3f0");
        }
    }

    @Test
    void uartThreInterruptReachesTheKernelThroughThePicAndLint0(@TempDir Path dir) throws Exception {
        // Linux's console in virtual-wire mode: COM1 raises IRQ 4 (KVM_IRQ_LINE), the in-kernel
        // 8259 turns it into vector 0x24, and the LAPIC passes it on because LINT0 is ExtINT.
        Path kernelFile = dir.resolve("bzImage");
        Files.write(kernelFile, SyntheticKernel.bzImage(SyntheticKernel.uartInterruptProgram()));
        ByteArrayOutputStream serial = new ByteArrayOutputStream();
        GuestConfig config = GuestConfig.builder().memorySize(MEMORY)
            .kernel(kernelFile, Optional.empty(), "console=ttyS0").serialOutput(serial).build();
        try (Kvm kvm = Kvm.open(); Machine m = Machine.create(kvm, config)) {
            RunResult r = m.run(Duration.ofSeconds(20));
            String output = serial.toString(StandardCharsets.US_ASCII);
            assertEquals(StopReason.RESET, r.reason(), r.describe() + "\n" + output);
            Map<String, List<String>> f = SyntheticKernel.parse(output);
            assertEquals(1, hex(f, "uart_irqs"), "one THRE interrupt, then IER off:\n" + output);
            assertEquals(0x02, hex(f, "uart_iir") & 0x0f, "IIR reported THR empty as the source");
            assertTrue(f.containsKey(SyntheticKernel.DONE), output);
        }
    }

    private static long hex(Map<String, List<String>> fields, String key) {
        List<String> values = fields.get(key);
        assertTrue(values != null && values.size() == 1, "one " + key + " line in " + fields);
        return Long.parseUnsignedLong(values.get(0), 16);
    }

    private static String signature(long ebx, long ecx, long edx) {
        byte[] b = new byte[12];
        long[] regs = {ebx, ecx, edx};
        for (int r = 0; r < 3; r++) {
            for (int i = 0; i < 4; i++) {
                b[r * 4 + i] = (byte) (regs[r] >>> (8 * i));
            }
        }
        return new String(b, StandardCharsets.US_ASCII);
    }
}
