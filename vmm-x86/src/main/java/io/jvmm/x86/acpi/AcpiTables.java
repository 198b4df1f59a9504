package io.jvmm.x86.acpi;

import java.util.List;

/**
 * Builds jvmm's ACPI tables (ACPI 6.4, chapter 5) for one machine. The tables lie back to back
 * in the configured area, each on a 16-byte boundary:
 *
 * <pre>
 *   areaBase + 0x00   RSDP  (36 bytes; 16-byte aligned, so Linux's 0xE0000..0xFFFFF scan finds it)
 *   areaBase + 0x30   XSDT  (36 + 8 per entry: FADT, MADT)
 *   next              FACP  (FADT, 276 bytes, X_DSDT -> DSDT)
 *   next              APIC  (MADT, 44 + 8 per vCPU + 12 + 10 per override + 6)
 *   next              DSDT  (36 + AML)
 * </pre>
 *
 * The caller writes {@link AcpiTableSet#image()} at {@link AcpiTableSet#areaBase()}, puts
 * {@link AcpiTableSet#rsdpAddress()} in {@code boot_params.acpi_rsdp_addr}, keeps the area out
 * of e820 RAM, and makes the reset register's port reset the machine.
 */
public final class AcpiTables {
    /** Every table starts on this boundary (the RSDP must; the others need not, but it is tidy). */
    public static final int ALIGNMENT = 16;

    private AcpiTables() {
    }

    /**
     * The tables for {@code config}, at their addresses in its table area.
     *
     * @param config the machine to describe, and where the tables go
     * @return the RSDP, XSDT, FADT, MADT and DSDT in that (address) order, laid out as the class comment shows
     * @throws IllegalArgumentException when the tables do not fit in the area, or a device cannot
     *     be described
     */
    public static AcpiTableSet build(AcpiConfig config) {
        byte[] dsdt = Dsdt.build(config);
        byte[] madt = Madt.build(config);
        long rsdpAt = config.tableAreaBase();
        long xsdtAt = align(rsdpAt + Rsdp.LENGTH);
        long fadtAt = align(xsdtAt + Sdt.HEADER_SIZE + 2 * 8);
        long madtAt = align(fadtAt + Fadt.LENGTH);
        long dsdtAt = align(madtAt + madt.length);
        long end = dsdtAt + dsdt.length;
        long areaEnd = config.tableAreaBase() + config.tableAreaSize();
        if (end > areaEnd) {
            throw new IllegalArgumentException(String.format(
                "ACPI tables need [0x%x, 0x%x) but the table area ends at 0x%x", rsdpAt, end, areaEnd));
        }
        byte[] fadt = Fadt.build(config, dsdtAt);
        byte[] xsdt = Xsdt.build(List.of(fadtAt, madtAt));
        byte[] rsdp = Rsdp.build(xsdtAt);
        return new AcpiTableSet(config.tableAreaBase(), config.tableAreaSize(), List.of(
            new AcpiTable(Rsdp.SIGNATURE, rsdpAt, rsdp),
            new AcpiTable(Xsdt.SIGNATURE, xsdtAt, xsdt),
            new AcpiTable(Fadt.SIGNATURE, fadtAt, fadt),
            new AcpiTable(Madt.SIGNATURE, madtAt, madt),
            new AcpiTable(Dsdt.SIGNATURE, dsdtAt, dsdt)));
    }

    private static long align(long a) {
        return (a + ALIGNMENT - 1) & -ALIGNMENT;
    }
}
