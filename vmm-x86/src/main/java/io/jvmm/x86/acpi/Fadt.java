package io.jvmm.x86.acpi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The Fixed ACPI Description Table, signature "FACP" (ACPI 6.4, section 5.2.9), revision 6 and
 * 276 bytes, for a hardware-reduced platform (section 4.1 "Hardware-Reduced ACPI"): no PM1/PM2
 * event and control blocks, no PM timer, no GPE blocks, no SMI command port, no SCI, and no FACS
 * (5.2.10: the FACS is optional on hardware-reduced platforms; Linux's ACPICA does not look for
 * one when HW_REDUCED_ACPI is set). What it does carry is the DSDT's address (X_DSDT only: 5.2.9 says
 * DSDT must be zero when X_DSDT is set), the reset register, and the IA-PC boot flags.
 *
 * <p>Offsets below are those of the spec's FADT format table; every field not named is zero.
 */
public final class Fadt {
    /** The table's signature (5.2.9; "FACP", not "FADT"). */
    public static final String SIGNATURE = "FACP";
    /** FADT Major Version 6, the header's Revision field (ACPI 6.x). */
    public static final int REVISION = 6;
    /** FADT Minor Version (offset 131): 4 for ACPI 6.4. */
    public static final int MINOR_VERSION = 4;
    /** The table's length in bytes, header included: the whole revision 6 FADT. */
    public static final int LENGTH = 276;

    /** FIRMWARE_CTRL u32: the FACS's 32-bit address; 0 (no FACS). */
    public static final int FIRMWARE_CTRL = 36;
    /** DSDT u32: the DSDT's 32-bit address; 0, because X_DSDT is set. */
    public static final int DSDT = 40;
    /** Preferred_PM_Profile u8; 0, Unspecified. */
    public static final int PREFERRED_PM_PROFILE = 45;
    /** SCI_INT u16: the SCI's interrupt; 0, a hardware-reduced platform has no SCI. */
    public static final int SCI_INT = 46;
    /** SMI_CMD u32: the SMI command port; 0, no SMM and so no ACPI mode switch. */
    public static final int SMI_CMD = 48;
    /** PM1a_EVT_BLK u32: the PM1a event block's port; 0, none on a hardware-reduced platform. */
    public static final int PM1A_EVT_BLK = 56;
    /** PM_TMR_BLK u32: the power-management timer's port; 0, no PM timer. */
    public static final int PM_TMR_BLK = 76;
    /** IAPC_BOOT_ARCH u16: the IA-PC boot architecture flags ({@code IAPC_*}; {@link #iapcBootArch}). */
    public static final int IAPC_BOOT_ARCH = 109;
    /** Flags u32: the fixed feature flags; {@link #FLAG_HW_REDUCED_ACPI} | {@link #FLAG_RESET_REG_SUP}. */
    public static final int FLAGS = 112;
    /** RESET_REG, a 12-byte Generic Address Structure: the reset register ({@link ResetRegister}). */
    public static final int RESET_REG = 116;
    /** RESET_VALUE u8: what OSPM writes to RESET_REG to reset the machine. */
    public static final int RESET_VALUE = 128;
    /** ARM_BOOT_ARCH u16: the ARM boot architecture flags; 0 on x86. */
    public static final int ARM_BOOT_ARCH = 129;
    /** FADT Minor Version u8: {@link #MINOR_VERSION}. */
    public static final int FADT_MINOR_VERSION = 131;
    /** X_FIRMWARE_CTRL u64: the FACS's 64-bit address; 0 (no FACS). */
    public static final int X_FIRMWARE_CTRL = 132;
    /** X_DSDT u64: the DSDT's 64-bit address, the one address of it jvmm writes. */
    public static final int X_DSDT = 140;
    /** X_PM1a_EVT_BLK, a Generic Address Structure: the PM1a event block; all zero (none). */
    public static final int X_PM1A_EVT_BLK = 148;
    /** X_PM_TMR_BLK, a Generic Address Structure: the PM timer; all zero (none). */
    public static final int X_PM_TMR_BLK = 208;
    /** SLEEP_CONTROL_REG, a Generic Address Structure (hardware-reduced sleep control); all zero (no sleep states). */
    public static final int SLEEP_CONTROL_REG = 244;
    /** SLEEP_STATUS_REG, a Generic Address Structure (hardware-reduced sleep status); all zero. */
    public static final int SLEEP_STATUS_REG = 256;
    /** Hypervisor Vendor Identity, 8 bytes; zero. */
    public static final int HYPERVISOR_VENDOR_IDENTITY = 268;

    // Fixed Feature Flags (5.2.9.1).
    /** Flags bit 10, RESET_REG_SUP: RESET_REG and RESET_VALUE describe a working reset register. */
    public static final int FLAG_RESET_REG_SUP = 1 << 10;
    /** Flags bit 20, HW_REDUCED_ACPI: the ACPI hardware interface is not implemented (section 4.1). */
    public static final int FLAG_HW_REDUCED_ACPI = 1 << 20;

    // IA-PC Boot Architecture Flags (5.2.9.3).
    /**
     * IAPC_BOOT_ARCH bit 0, LEGACY_DEVICES: user-visible LPC or ISA devices exist; clear, every device is found
     * by enumeration (the ACPI namespace). jvmm leaves it clear.
     */
    public static final int IAPC_LEGACY_DEVICES = 1 << 0;
    /** IAPC_BOOT_ARCH bit 1, 8042: an 8042-compatible keyboard controller is present. */
    public static final int IAPC_8042 = 1 << 1;
    /** IAPC_BOOT_ARCH bit 2, VGA Not Present: OSPM must not probe the VGA hardware. */
    public static final int IAPC_VGA_NOT_PRESENT = 1 << 2;
    /** IAPC_BOOT_ARCH bit 3, MSI Not Supported: OSPM must not enable Message Signaled Interrupts. */
    public static final int IAPC_MSI_NOT_SUPPORTED = 1 << 3;
    /** IAPC_BOOT_ARCH bit 4, PCIe ASPM Controls: OSPM must not enable PCIe ASPM; jvmm leaves it clear. */
    public static final int IAPC_PCIE_ASPM_CONTROLS = 1 << 4;
    /** IAPC_BOOT_ARCH bit 5, CMOS RTC Not Present: no RTC at the legacy CMOS ports. */
    public static final int IAPC_CMOS_RTC_NOT_PRESENT = 1 << 5;

    private Fadt() {
    }

    /**
     * IA-PC boot flags derived from the devices: 8042 when an i8042 is described (Linux otherwise
     * marks the controller absent, arch/x86/kernel/acpi/boot.c acpi_parse_fadt), CMOS RTC Not
     * Present when no RTC is, and always VGA Not Present and MSI Not Supported (jvmm has no VGA
     * and no PCI).
     *
     * @param config the machine, for its devices
     * @return the IAPC_BOOT_ARCH value: {@link #IAPC_VGA_NOT_PRESENT} | {@link #IAPC_MSI_NOT_SUPPORTED}, plus
     *     {@link #IAPC_8042} and {@link #IAPC_CMOS_RTC_NOT_PRESENT} as above
     */
    public static int iapcBootArch(AcpiConfig config) {
        boolean i8042 = config.devices().stream().anyMatch(d -> d instanceof AcpiDevice.I8042);
        boolean rtc = config.devices().stream().anyMatch(d -> d instanceof AcpiDevice.CmosRtc);
        return (i8042 ? IAPC_8042 : 0) | (rtc ? 0 : IAPC_CMOS_RTC_NOT_PRESENT)
            | IAPC_VGA_NOT_PRESENT | IAPC_MSI_NOT_SUPPORTED;
    }

    /**
     * The FADT pointing at the DSDT at {@code dsdtAddress}: hardware-reduced, with {@code config}'s reset
     * register and the boot flags of {@link #iapcBootArch}; every other field zero.
     *
     * @param config      the machine, for its reset register and devices
     * @param dsdtAddress the DSDT's guest-physical address, written to X_DSDT
     * @return the whole table, {@link #LENGTH} bytes, with Length and Checksum set
     */
    public static byte[] build(AcpiConfig config, long dsdtAddress) {
        ByteBuffer b = ByteBuffer.allocate(LENGTH - Sdt.HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(IAPC_BOOT_ARCH - Sdt.HEADER_SIZE, (short) iapcBootArch(config));
        b.putInt(FLAGS - Sdt.HEADER_SIZE, FLAG_HW_REDUCED_ACPI | FLAG_RESET_REG_SUP);
        LeBuffer gas = new LeBuffer(GenericAddress.SIZE);
        config.resetRegister().address().writeTo(gas);
        b.put(RESET_REG - Sdt.HEADER_SIZE, gas.toArray());
        b.put(RESET_VALUE - Sdt.HEADER_SIZE, (byte) config.resetRegister().value());
        b.put(FADT_MINOR_VERSION - Sdt.HEADER_SIZE, (byte) MINOR_VERSION);
        b.putLong(X_DSDT - Sdt.HEADER_SIZE, dsdtAddress);
        return Sdt.table(SIGNATURE, REVISION, b.array());
    }
}
