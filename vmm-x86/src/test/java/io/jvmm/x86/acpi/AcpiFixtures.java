package io.jvmm.x86.acpi;

import io.jvmm.x86.X86Layout;
import java.util.ArrayList;
import java.util.List;

/** A jvmm-like machine for the tests: the PC devices at their usual ports plus virtio-mmio windows. */
final class AcpiFixtures {
    static final long AREA_BASE = 0xe0000;
    static final long AREA_SIZE = 0x10000;
    static final long VIRTIO_BASE = 0xd000_0000L;
    static final long VIRTIO_SIZE = 0x1000;
    static final int VIRTIO_FIRST_GSI = 5;

    private AcpiFixtures() {
    }

    static List<AcpiDevice> legacyDevices() {
        return List.of(
            new AcpiDevice.Uart16550(X86Layout.COM1_PORT, X86Layout.COM1_IRQ),
            new AcpiDevice.I8042(X86Layout.I8042_DATA_PORT, X86Layout.I8042_COMMAND_PORT, 1),
            new AcpiDevice.CmosRtc(0x70, 8));
    }

    static List<AcpiDevice> withVirtio(int count) {
        List<AcpiDevice> d = new ArrayList<>(legacyDevices());
        for (int i = 0; i < count; i++) {
            d.add(new AcpiDevice.VirtioMmio(VIRTIO_BASE + i * VIRTIO_SIZE, VIRTIO_SIZE, VIRTIO_FIRST_GSI + i));
        }
        return d;
    }

    static AcpiConfig config(int vcpus, List<AcpiDevice> devices) {
        return new AcpiConfig(vcpus, X86Layout.LAPIC_ADDR, 0, X86Layout.IOAPIC_ADDR, true,
            List.of(InterruptOverride.isaTimerToGsi2()), ResetRegister.pcResetControl(), devices,
            AREA_BASE, AREA_SIZE);
    }
}
