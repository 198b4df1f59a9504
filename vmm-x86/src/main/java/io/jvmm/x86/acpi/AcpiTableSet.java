package io.jvmm.x86.acpi;

import java.util.List;
import java.util.NoSuchElementException;

/**
 * The tables {@link AcpiTables#build} made, in address order starting with the RSDP at the base
 * of the table area.
 *
 * @param areaBase the table area's base (the RSDP's address)
 * @param areaSize the bytes the configuration reserved
 * @param tables every table, in address order, non-overlapping, inside the area
 */
public record AcpiTableSet(long areaBase, long areaSize, List<AcpiTable> tables) {
    public AcpiTableSet {
        tables = List.copyOf(tables);
    }

    /** The RSDP's guest-physical address: for {@code boot_params.acpi_rsdp_addr}. */
    public long rsdpAddress() {
        return table(Rsdp.SIGNATURE).address();
    }

    /** One past the last table byte. */
    public long usedEnd() {
        return tables.get(tables.size() - 1).end();
    }

    /** The table with {@code signature} ("RSD PTR ", "XSDT", "FACP", "APIC", "DSDT"). */
    public AcpiTable table(String signature) {
        return tables.stream().filter(t -> t.signature().equals(signature)).findFirst()
            .orElseThrow(() -> new NoSuchElementException("no ACPI table " + signature));
    }

    /**
     * The used part of the area as one image, [areaBase, usedEnd()), the gaps between tables
     * zero: one {@code GuestMemory.writeAllAtAddr(image(), areaBase)} writes every table.
     */
    public byte[] image() {
        byte[] out = new byte[(int) (usedEnd() - areaBase)];
        for (AcpiTable t : tables) {
            byte[] b = t.bytes();
            System.arraycopy(b, 0, out, (int) (t.address() - areaBase), b.length);
        }
        return out;
    }
}
