package io.jvmm.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.machine.guest.BuiltInGuests;
import io.jvmm.machine.guest.CpuMode;
import io.jvmm.x86.X86Layout;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each invalid configuration is refused with one sentence that names the problem. */
class GuestConfigTest {
    private static final long MIB = 1 << 20;

    private static String refusal(GuestConfig.Builder b) {
        return assertThrows(IllegalArgumentException.class, b::build).getMessage();
    }

    @Test
    void anImageLargerThanMemoryIsRefused() {
        String m = refusal(GuestConfig.builder().memorySize(2 * MIB).rawImage(new byte[(int) (3 * MIB)], 0, 0, CpuMode.LONG));
        assertEquals("image raw (3145728 bytes) is larger than guest memory (2097152 bytes)", m);
    }

    @Test
    void aLoadAddressOutsideMemoryIsRefused() {
        String m = refusal(GuestConfig.builder().memorySize(2 * MIB).rawImage(new byte[16], 0x40_0000, 0x40_0000, CpuMode.LONG));
        assertEquals("load address 0x400000 of image raw is outside guest memory (RAM is [0x0, 0x200000))", m);
    }

    @Test
    void aLoadAddressInTheMmioGapIsRefused() {
        String m = refusal(GuestConfig.builder().memorySize(4L << 30).rawImage(new byte[16], 0xd000_0000L, 0xd000_0000L, CpuMode.LONG));
        assertTrue(m.contains("outside guest memory (RAM is [0x0, 0xc0000000) and [0x100000000, 0x140000000))"), m);
    }

    @Test
    void anImageRunningPastTheEndOfMemoryIsRefused() {
        String m = refusal(GuestConfig.builder().memorySize(2 * MIB).rawImage(new byte[0x2000], 0x1f_f000, 0x1f_f000, CpuMode.LONG));
        assertEquals("image raw at 0x1ff000 (8192 bytes) ends at 0x201000, past the end of guest memory at 0x200000", m);
    }

    @Test
    void anEntryOutsideTheImageIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> GuestConfig.builder().rawImage(new byte[16], 0x10_0000, 0x10_0010, CpuMode.LONG));
        assertEquals("guest image raw: entry 0x100010 lies outside the image [0x100000, 0x100010)", e.getMessage());
    }

    @Test
    void aLongModeImageOverTheVmmPageTablesIsRefused() {
        String m = refusal(GuestConfig.builder().rawImage(new byte[16], 0x9000, 0x9000, CpuMode.LONG));
        assertTrue(m.contains("overlaps the GDT and page tables the VMM writes at [0x500, 0x"), m);
    }

    @Test
    void badSizesAndCountsAreRefused() {
        assertEquals("guest memory must be at least 2 MiB, got 4096 bytes", refusal(GuestConfig.builder().memorySize(4096)));
        assertEquals("guest memory size 4194305 is not a multiple of 4 KiB", refusal(GuestConfig.builder().memorySize(4 * MIB + 1)));
        assertEquals("the number of vCPUs must be between 1 and 254, got 0", refusal(GuestConfig.builder().vcpus(0)));
        assertTrue(refusal(GuestConfig.builder().vcpus(2)).startsWith("2 vCPUs need the in-kernel irqchip"));
        assertTrue(refusal(GuestConfig.builder().serialInput(new ByteArrayInputStream(new byte[0]))).startsWith("serial input needs a serial output"));
    }

    @Test
    void validConfigurationsKeepWhatWasAsked() {
        GuestConfig c = GuestConfig.builder().memorySize(64 * MIB).vcpus(2).irqchip(true).image(BuiltInGuests.realModeHello())
            .serialOutput(new ByteArrayOutputStream()).build();
        assertEquals(64 * MIB, c.memorySize());
        assertEquals(2, c.vcpus());
        assertTrue(c.irqchip());
        assertEquals(X86Layout.REAL_MODE_LOAD_ADDR, c.image().orElseThrow().loadAddress());
        assertTrue(c.serialOutput().isPresent());
        assertTrue(GuestConfig.builder().build().image().isEmpty());
    }

    @Test
    void aKernelGetsTheIrqchipAndKernelSizedMemoryByDefault() {
        GuestConfig c = GuestConfig.builder().kernel(Path.of("bzImage"), Optional.empty(), "console=ttyS0").build();
        assertTrue(c.irqchip());
        assertEquals(GuestConfig.DEFAULT_KERNEL_MEMORY, c.memorySize());
        assertEquals(512 * MIB, c.memorySize());
        assertTrue(c.kernel().isPresent() && c.image().isEmpty());
        GuestConfig plain = GuestConfig.builder().image(BuiltInGuests.longModeDemo()).build();
        assertEquals(GuestConfig.DEFAULT_MEMORY, plain.memorySize());
        assertTrue(!plain.irqchip());
    }

    @Test
    void aKernelWithoutIrqchipOrWithAnImageIsRefusedButMayHaveSeveralVcpus() {
        Path k = Path.of("bzImage");
        assertEquals("a Linux kernel needs the in-kernel irqchip (PIC, IOAPIC, LAPIC) and PIT: its timer and console"
            + " interrupts arrive through them",
            refusal(GuestConfig.builder().kernel(k, Optional.empty(), "").irqchip(false)));
        assertEquals("a machine runs either an image (demo) or a kernel (bzImage), not both",
            refusal(GuestConfig.builder().kernel(k, Optional.empty(), "").image(BuiltInGuests.longModeDemo())));
        // The ACPI MADT describes every vCPU to the kernel (issue 10).
        GuestConfig smp = GuestConfig.builder().kernel(k, Optional.empty(), "").vcpus(4).build();
        assertEquals(4, smp.vcpus());
        assertTrue(smp.irqchip());
    }
}
