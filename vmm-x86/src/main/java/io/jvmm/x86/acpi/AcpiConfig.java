package io.jvmm.x86.acpi;

import java.util.List;
import java.util.Objects;

/**
 * Everything the tables describe, as the machine decides it: the vCPUs, the interrupt
 * controllers, the reset register, the devices, and the guest-physical area the tables go in.
 *
 * @param vcpus number of vCPUs, 1..{@link Madt#MAX_VCPUS}; vCPU i has APIC ID i and ACPI
 *     processor UID i
 * @param lapicAddress the Local APIC's MMIO base (MADT "Local Interrupt Controller Address")
 * @param ioapicId the I/O APIC's ID (the in-kernel IOAPIC resets its ID register to 0)
 * @param ioapicAddress the I/O APIC's MMIO base; its inputs start at GSI 0
 * @param pcatCompat MADT flag PCAT_COMPAT: dual 8259 PICs are present (KVM_CREATE_IRQCHIP makes
 *     them) and the OS must mask them before using the APICs
 * @param overrides MADT Interrupt Source Overrides
 * @param resetRegister the FADT's RESET_REG and RESET_VALUE
 * @param devices the DSDT's devices under \_SB, in this order
 * @param tableAreaBase guest-physical base of the table area; 16-byte aligned, because the RSDP
 *     goes first and Linux looks for it on 16-byte boundaries
 * @param tableAreaSize bytes reserved for all tables; {@link AcpiTables#build} fails when they
 *     do not fit
 */
public record AcpiConfig(
        int vcpus,
        long lapicAddress,
        int ioapicId,
        long ioapicAddress,
        boolean pcatCompat,
        List<InterruptOverride> overrides,
        ResetRegister resetRegister,
        List<AcpiDevice> devices,
        long tableAreaBase,
        long tableAreaSize) {

    /**
     * Checks the configuration and copies the lists.
     *
     * @param vcpus         number of vCPUs, 1..{@link Madt#MAX_VCPUS}
     * @param lapicAddress  the Local APIC's MMIO base, a 32-bit address
     * @param ioapicId      the I/O APIC's ID, 0..255
     * @param ioapicAddress the I/O APIC's MMIO base, a 32-bit address
     * @param pcatCompat    MADT flag PCAT_COMPAT
     * @param overrides     MADT Interrupt Source Overrides; copied
     * @param resetRegister the FADT's RESET_REG and RESET_VALUE
     * @param devices       the DSDT's devices under \_SB; copied
     * @param tableAreaBase guest-physical base of the table area, 16-byte aligned
     * @param tableAreaSize bytes reserved for all tables; positive, and the area must end at or below 4 GiB
     * @throws IllegalArgumentException when a value is outside its range, {@code tableAreaBase} is not
     *     16-byte aligned, or the area is empty, negative or passes 4 GiB
     * @throws NullPointerException when {@code overrides}, {@code resetRegister} or {@code devices} is null, or a
     *     list holds null
     */
    public AcpiConfig {
        if (vcpus < 1 || vcpus > Madt.MAX_VCPUS) {
            throw new IllegalArgumentException(String.format(
                "%d vCPUs: the MADT's Processor Local APIC entries describe 1 to %d", vcpus, Madt.MAX_VCPUS));
        }
        check32("Local APIC address", lapicAddress);
        check32("I/O APIC address", ioapicAddress);
        if (ioapicId < 0 || ioapicId > 0xff) {
            throw new IllegalArgumentException("I/O APIC ID " + ioapicId + " outside 0..255");
        }
        overrides = List.copyOf(overrides);
        Objects.requireNonNull(resetRegister, "resetRegister");
        devices = List.copyOf(devices);
        if (tableAreaBase % 16 != 0) {
            throw new IllegalArgumentException(String.format(
                "ACPI table area base 0x%x is not 16-byte aligned (the RSDP must be)", tableAreaBase));
        }
        if (tableAreaSize <= 0 || tableAreaBase < 0 || tableAreaBase + tableAreaSize > 0x1_0000_0000L) {
            throw new IllegalArgumentException(String.format(
                "ACPI table area [0x%x, +0x%x) is empty or not below 4 GiB", tableAreaBase, tableAreaSize));
        }
    }

    /**
     * A copy with {@code devices} instead (the machine adds virtio-mmio devices to the legacy ones).
     *
     * @param newDevices the DSDT's devices under \_SB, in order; replaces {@link #devices()}
     * @return a configuration equal to this one but for its devices
     * @throws NullPointerException when {@code newDevices} is null or holds null
     */
    public AcpiConfig withDevices(List<AcpiDevice> newDevices) {
        return new AcpiConfig(vcpus, lapicAddress, ioapicId, ioapicAddress, pcatCompat, overrides,
            resetRegister, newDevices, tableAreaBase, tableAreaSize);
    }

    /**
     * A copy with {@code n} vCPUs.
     *
     * @param n number of vCPUs, 1..{@link Madt#MAX_VCPUS}
     * @return a configuration equal to this one but for its vCPU count
     * @throws IllegalArgumentException when {@code n} is outside 1..{@link Madt#MAX_VCPUS}
     */
    public AcpiConfig withVcpus(int n) {
        return new AcpiConfig(n, lapicAddress, ioapicId, ioapicAddress, pcatCompat, overrides,
            resetRegister, devices, tableAreaBase, tableAreaSize);
    }

    private static void check32(String what, long address) {
        if (address < 0 || address > 0xffff_ffffL) {
            throw new IllegalArgumentException(String.format("%s 0x%x is not a 32-bit address", what, address));
        }
    }
}
