package io.jvmm.x86.acpi;

/**
 * The Root System Description Pointer (ACPI 6.4, section 5.2.5.3), revision 2, 36 bytes:
 * Signature "RSD PTR " [8], Checksum u8 (over the first 20 bytes, the ACPI 1.0 structure), OEMID
 * [6], Revision u8 (2), RsdtAddress u32, Length u32 (36), XsdtAddress u64, Extended Checksum u8
 * (over all 36 bytes), Reserved [3]. jvmm has no RSDT: RsdtAddress is 0 and OSPMs that know
 * revision 2 use the XSDT (5.2.5.3 and 5.2.8: an OSPM that knows the XSDT uses it in preference to the RSDT; Linux's
 * ACPICA, tbutils.c acpi_tb_parse_root_table, does when revision > 1 and XsdtAddress is non-zero).
 *
 * <p>Found by Linux either through {@code boot_params.acpi_rsdp_addr} or by scanning 0xE0000 to
 * 0xFFFFF on 16-byte boundaries (5.2.5.1 "Finding the RSDP on IA-PC Systems").
 */
public final class Rsdp {
    /** The Signature field, 8 characters with the trailing space. */
    public static final String SIGNATURE = "RSD PTR ";
    /** Revision 2: the ACPI 2.0+ structure with the XSDT address and the extended checksum. */
    public static final int REVISION = 2;
    /** The structure's length in bytes, as its Length field holds it. */
    public static final int LENGTH = 36;
    /** Bytes covered by the first (ACPI 1.0) checksum. */
    public static final int V1_LENGTH = 20;
    /** Offset of Checksum u8, over the first {@link #V1_LENGTH} bytes. */
    public static final int CHECKSUM_OFFSET = 8;
    /** Offset of Revision u8. */
    public static final int REVISION_OFFSET = 15;
    /** Offset of RsdtAddress u32 (0: jvmm has no RSDT). */
    public static final int RSDT_ADDRESS_OFFSET = 16;
    /** Offset of Length u32. */
    public static final int LENGTH_OFFSET = 20;
    /** Offset of XsdtAddress u64. */
    public static final int XSDT_ADDRESS_OFFSET = 24;
    /** Offset of Extended Checksum u8, over all {@link #LENGTH} bytes. */
    public static final int EXTENDED_CHECKSUM_OFFSET = 32;

    private Rsdp() {
    }

    /**
     * The RSDP pointing at the XSDT at {@code xsdtAddress}.
     *
     * @param xsdtAddress the XSDT's guest-physical address
     * @return the {@link #LENGTH} bytes of the structure, OEMID {@link Sdt#OEM_ID}, both checksums set
     */
    public static byte[] build(long xsdtAddress) {
        LeBuffer b = new LeBuffer(LENGTH);
        b.ascii(SIGNATURE, 8).u8(0).ascii(Sdt.OEM_ID, 6).u8(REVISION).u32(0).u32(LENGTH)
            .u64(xsdtAddress).u8(0).zeros(3);
        byte[] out = b.toArray();
        out[CHECKSUM_OFFSET] = Checksum.of(out, 0, V1_LENGTH);
        out[EXTENDED_CHECKSUM_OFFSET] = Checksum.of(out, 0, LENGTH);
        return out;
    }
}
