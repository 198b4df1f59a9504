package io.jvmm.kvm.x86;

import io.jvmm.kvm.acpi.AcpiConfig;
import io.jvmm.kvm.acpi.AcpiDevice;
import io.jvmm.kvm.acpi.InterruptOverride;
import io.jvmm.kvm.acpi.ResetRegister;
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

    /** The tables' description of a machine with {@code vcpus} vCPUs. */
    public static AcpiConfig forMachine(int vcpus) {
        return new AcpiConfig(
            vcpus,
            X86Layout.LAPIC_ADDR,
            IOAPIC_ID,
            X86Layout.IOAPIC_ADDR,
            // KVM_CREATE_IRQCHIP creates the 8259 pair too; the OS masks it once it uses the APICs.
            true,
            // The PIT's IRQ 0 reaches the I/O APIC at pin 2, as on every PC (and KVM's irqchip routing).
            List.of(InterruptOverride.isaTimerToGsi2()),
            new ResetRegister(X86Layout.RESET_CONTROL_PORT, X86Layout.RESET_CONTROL_VALUE),
            List.of(
                new AcpiDevice.Uart16550(X86Layout.COM1_PORT, X86Layout.COM1_IRQ),
                new AcpiDevice.I8042(X86Layout.I8042_DATA_PORT, X86Layout.I8042_COMMAND_PORT, I8042_IRQ),
                new AcpiDevice.CmosRtc(X86Layout.CMOS_RTC_PORT, CMOS_RTC_IRQ)),
            X86Layout.ACPI_TABLES_ADDR,
            X86Layout.ACPI_TABLES_SIZE);
    }
}
