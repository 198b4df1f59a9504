package io.jvmm.x86;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jvmm.devices.BootCompletePort;
import io.jvmm.devices.I8042;
import org.junit.jupiter.api.Test;

/** The platform map places the devices the way their register files need. */
class X86LayoutTest {
    @Test
    void theI8042WindowCoversItsDataAndCommandPorts() {
        assertEquals(X86Layout.I8042_COMMAND_PORT, X86Layout.I8042_DATA_PORT + I8042.COMMAND_OFFSET);
        assertEquals(I8042.PORT_SPAN, X86Layout.I8042_PORT_SPAN);
    }

    @Test
    void theBootCompleteValueIsTheDevicesSignal() {
        assertEquals(BootCompletePort.SIGNAL_VALUE, X86Layout.BOOT_COMPLETE_VALUE);
        assertEquals(123, X86Layout.BOOT_COMPLETE_VALUE, "Firecracker's value, which guests built for it write");
    }

    @Test
    void virtioWindowsLieInTheMmioGapAndTheirGsisOnTheIoApic() {
        for (int i = 0; i < X86Layout.VIRTIO_MMIO_MAX_DEVICES; i++) {
            long base = X86Layout.virtioMmioBase(i);
            assertTrue(base >= X86Layout.MMIO_GAP_START && base + X86Layout.VIRTIO_MMIO_STRIDE <= X86Layout.IOAPIC_ADDR);
            assertTrue(X86Layout.virtioMmioGsi(i) >= 16 && X86Layout.virtioMmioGsi(i) < 24, "I/O APIC pins 16..23");
        }
        assertThrows(IllegalArgumentException.class, () -> X86Layout.virtioMmioBase(X86Layout.VIRTIO_MMIO_MAX_DEVICES));
        assertThrows(IllegalArgumentException.class, () -> X86Layout.virtioMmioGsi(-1));
    }
}
