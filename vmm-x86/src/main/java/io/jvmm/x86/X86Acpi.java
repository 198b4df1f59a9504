package io.jvmm.x86;

import io.jvmm.x86.acpi.AcpiConfig;
import io.jvmm.x86.acpi.AcpiDevice;
import io.jvmm.x86.acpi.ResetRegister;
import java.util.ArrayList;
import java.util.List;

/**
 * The ACPI description of jvmm's x86 machine (docs/acpi.md): its vCPUs, the in-kernel irqchip
 * (8259 pair, I/O APIC, one local APIC per vCPU), the reset register and the legacy devices, at
 * the addresses of {@link X86Layout}. The tables themselves know no platform; this class is where
 * the platform map meets them.
 */
public final class X86Acpi {
    /** The in-kernel I/O APIC's ID after reset (its ID register reads 0). */
    private static final int IOAPIC_ID = 0;
    private static final int I8042_IRQ = 1;
    private static final int CMOS_RTC_IRQ = 8;

    private X86Acpi() {
    }

    /**
     * The tables' description of a machine with {@code vcpus} vCPUs and no virtio-mmio device.
     *
     * @param vcpus the number of vCPUs, one local APIC each (APIC ids 0..vcpus-1)
     * @return COM1, the i8042 and the CMOS RTC, the I/O APIC and local APICs at their {@link X86Layout}
     *     addresses, the 8259 pair, the 0xCF9 reset register, and tables at {@link X86Layout#ACPI_TABLES_ADDR}
     * @throws IllegalArgumentException when {@code vcpus} is outside 1..{@link io.jvmm.x86.acpi.Madt#MAX_VCPUS}
     */
    public static AcpiConfig forMachine(int vcpus) {
        return forMachine(vcpus, 0);
    }

    /**
     * The same with {@code virtioDevices} virtio-mmio windows ({@link X86Layout#virtioMmioBase}).
     *
     * @param vcpus         the number of vCPUs, one local APIC each (APIC ids 0..vcpus-1)
     * @param virtioDevices the number of virtio-mmio windows, 0..{@link X86Layout#VIRTIO_MMIO_MAX_DEVICES}:
     *                      window {@code i} at {@link X86Layout#virtioMmioBase(int)}, interrupt
     *                      {@link X86Layout#virtioMmioGsi(int)}
     * @return as {@link #forMachine(int)}, with the virtio-mmio devices after the legacy ones
     * @throws IllegalArgumentException when {@code virtioDevices} passes
     *     {@link X86Layout#VIRTIO_MMIO_MAX_DEVICES}, or {@code vcpus} is outside 1..{@link io.jvmm.x86.acpi.Madt#MAX_VCPUS}
     */
    public static AcpiConfig forMachine(int vcpus, int virtioDevices) {
        List<AcpiDevice> devices = new ArrayList<>(List.of(
            new AcpiDevice.Uart16550(X86Layout.COM1_PORT, X86Layout.COM1_IRQ),
            new AcpiDevice.I8042(X86Layout.I8042_DATA_PORT, X86Layout.I8042_COMMAND_PORT, I8042_IRQ),
            new AcpiDevice.CmosRtc(X86Layout.CMOS_RTC_PORT, CMOS_RTC_IRQ)));
        for (int i = 0; i < virtioDevices; i++) {
            devices.add(new AcpiDevice.VirtioMmio(X86Layout.virtioMmioBase(i), X86Layout.VIRTIO_MMIO_STRIDE, X86Layout.virtioMmioGsi(i)));
        }
        return new AcpiConfig(
            vcpus,
            X86Layout.LAPIC_ADDR,
            IOAPIC_ID,
            X86Layout.IOAPIC_ADDR,
            // KVM_CREATE_IRQCHIP creates the 8259 pair too; the OS masks it once it uses the APICs.
            true,
            // No interrupt source overrides: each describes where KVM's routing really sends an
            // ISA IRQ, and jvmm keeps KVM's default routing, which sends GSI n to I/O APIC pin n
            // (kernel KVM irq code, default_routing) -- the PIT's IRQ 0 to pin 0, not the PC
            // convention's pin 2 that QEMU makes true with its own KVM_SET_GSI_ROUTING table.
            // With identity routing the true MADT has no override; a hardware-reduced Linux never
            // uses the PIT anyway (docs/acpi.md, "IRQ 0").
            List.of(),
            new ResetRegister(X86Layout.RESET_CONTROL_PORT, X86Layout.RESET_CONTROL_VALUE),
            devices,
            X86Layout.ACPI_TABLES_ADDR,
            X86Layout.ACPI_TABLES_SIZE);
    }
}
