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
    public static final String SIGNATURE = "FACP";
    public static final int REVISION = 6;
    /** FADT Minor Version (offset 131): 4 for ACPI 6.4. */
    public static final int MINOR_VERSION = 4;
    public static final int LENGTH = 276;

    public static final int FIRMWARE_CTRL = 36;
    public static final int DSDT = 40;
    public static final int PREFERRED_PM_PROFILE = 45;
    public static final int SCI_INT = 46;
    public static final int SMI_CMD = 48;
    public static final int PM1A_EVT_BLK = 56;
    public static final int PM_TMR_BLK = 76;
    public static final int IAPC_BOOT_ARCH = 109;
    public static final int FLAGS = 112;
    public static final int RESET_REG = 116;
    public static final int RESET_VALUE = 128;
    public static final int ARM_BOOT_ARCH = 129;
    public static final int FADT_MINOR_VERSION = 131;
    public static final int X_FIRMWARE_CTRL = 132;
    public static final int X_DSDT = 140;
    public static final int X_PM1A_EVT_BLK = 148;
    public static final int X_PM_TMR_BLK = 208;
    public static final int SLEEP_CONTROL_REG = 244;
    public static final int SLEEP_STATUS_REG = 256;
    public static final int HYPERVISOR_VENDOR_IDENTITY = 268;

    // Fixed Feature Flags (5.2.9.1).
    public static final int FLAG_RESET_REG_SUP = 1 << 10;
    public static final int FLAG_HW_REDUCED_ACPI = 1 << 20;

    // IA-PC Boot Architecture Flags (5.2.9.3).
    public static final int IAPC_LEGACY_DEVICES = 1 << 0;
    public static final int IAPC_8042 = 1 << 1;
    public static final int IAPC_VGA_NOT_PRESENT = 1 << 2;
    public static final int IAPC_MSI_NOT_SUPPORTED = 1 << 3;
    public static final int IAPC_PCIE_ASPM_CONTROLS = 1 << 4;
    public static final int IAPC_CMOS_RTC_NOT_PRESENT = 1 << 5;

    private Fadt() {
    }

    /**
     * IA-PC boot flags derived from the devices: 8042 when an i8042 is described (Linux otherwise
     * marks the controller absent, arch/x86/kernel/acpi/boot.c acpi_parse_fadt), CMOS RTC Not
     * Present when no RTC is, and always VGA Not Present and MSI Not Supported (jvmm has no VGA
     * and no PCI).
     */
    public static int iapcBootArch(AcpiConfig config) {
        boolean i8042 = config.devices().stream().anyMatch(d -> d instanceof AcpiDevice.I8042);
        boolean rtc = config.devices().stream().anyMatch(d -> d instanceof AcpiDevice.CmosRtc);
        return (i8042 ? IAPC_8042 : 0) | (rtc ? 0 : IAPC_CMOS_RTC_NOT_PRESENT)
            | IAPC_VGA_NOT_PRESENT | IAPC_MSI_NOT_SUPPORTED;
    }

    /** The FADT pointing at the DSDT at {@code dsdtAddress}. */
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
