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
    public static final String SIGNATURE = "RSD PTR ";
    public static final int REVISION = 2;
    public static final int LENGTH = 36;
    /** Bytes covered by the first (ACPI 1.0) checksum. */
    public static final int V1_LENGTH = 20;
    public static final int CHECKSUM_OFFSET = 8;
    public static final int REVISION_OFFSET = 15;
    public static final int RSDT_ADDRESS_OFFSET = 16;
    public static final int LENGTH_OFFSET = 20;
    public static final int XSDT_ADDRESS_OFFSET = 24;
    public static final int EXTENDED_CHECKSUM_OFFSET = 32;

    private Rsdp() {
    }

    /** The RSDP pointing at the XSDT at {@code xsdtAddress}. */
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
