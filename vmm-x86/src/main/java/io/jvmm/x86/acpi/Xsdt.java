package io.jvmm.x86.acpi;

import java.util.List;

/**
 * The Extended System Description Table, signature "XSDT" (ACPI 6.4, section 5.2.8), revision 1:
 * the header and then the 64-bit addresses of the other tables. The DSDT is not listed: the FADT
 * points to it (5.2.9 X_DSDT).
 */
public final class Xsdt {
    /** The table's signature (5.2.8). */
    public static final String SIGNATURE = "XSDT";
    /** The XSDT revision, 1 (5.2.8). */
    public static final int REVISION = 1;

    private Xsdt() {
    }

    /**
     * The XSDT listing {@code tableAddresses} in order.
     *
     * @param tableAddresses guest-physical addresses of the tables, each written as a u64 Entry
     * @return the whole table, {@code 36 + 8 * tableAddresses.size()} bytes, with Length and Checksum set
     * @throws NullPointerException when the list or one of its elements is null
     */
    public static byte[] build(List<Long> tableAddresses) {
        LeBuffer b = new LeBuffer(tableAddresses.size() * 8);
        for (long a : tableAddresses) {
            b.u64(a);
        }
        return Sdt.table(SIGNATURE, REVISION, b.toArray());
    }
}
