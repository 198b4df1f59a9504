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
    /**
     * Copies {@code tables}; the order and placement are not checked again.
     *
     * @param areaBase the table area's base (the RSDP's address)
     * @param areaSize the bytes the configuration reserved
     * @param tables   every table, in address order, non-overlapping, inside the area; copied
     * @throws NullPointerException when {@code tables} or one of its elements is null
     */
    public AcpiTableSet {
        tables = List.copyOf(tables);
    }

    /**
     * {@return the RSDP's guest-physical address: for {@code boot_params.acpi_rsdp_addr}}
     *
     * @throws NoSuchElementException when the set holds no RSDP
     */
    public long rsdpAddress() {
        return table(Rsdp.SIGNATURE).address();
    }

    /**
     * {@return the guest-physical address one past the last table's last byte}
     *
     * @throws IndexOutOfBoundsException when the set holds no table
     */
    public long usedEnd() {
        return tables.get(tables.size() - 1).end();
    }

    /**
     * The table with {@code signature} ("RSD PTR ", "XSDT", "FACP", "APIC", "DSDT").
     *
     * @param signature the signature, exactly as {@link AcpiTable#signature()} holds it
     * @return the first table with that signature
     * @throws NoSuchElementException when no table has it
     */
    public AcpiTable table(String signature) {
        return tables.stream().filter(t -> t.signature().equals(signature)).findFirst()
            .orElseThrow(() -> new NoSuchElementException("no ACPI table " + signature));
    }

    /**
     * The used part of the area as one image, [areaBase, usedEnd()), the gaps between tables
     * zero: one {@code GuestMemory.writeAllAtAddr(image(), areaBase)} writes every table.
     *
     * @return a fresh array of {@code usedEnd() - areaBase} bytes
     * @throws IndexOutOfBoundsException when the set holds no table
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
