package io.jvmm.x86.acpi;

/**
 * The System Description Table Header every table but the RSDP starts with (ACPI 6.4, section
 * 5.2.6): Signature[4], Length u32, Revision u8, Checksum u8, OEMID[6], OEM Table ID[8],
 * OEM Revision u32, Creator ID[4], Creator Revision u32; 36 bytes. The checksum covers the whole
 * table ({@code Length} bytes).
 */
public final class Sdt {
    /** The header's size in bytes; a table's body starts at this offset. */
    public static final int HEADER_SIZE = 36;
    /** Offset of Length u32, the whole table's size in bytes, header included. */
    public static final int LENGTH_OFFSET = 4;
    /** Offset of Revision u8. */
    public static final int REVISION_OFFSET = 8;
    /** Offset of Checksum u8: the whole table sums to 0 mod 256. */
    public static final int CHECKSUM_OFFSET = 9;
    /** Offset of OEMID, 6 characters. */
    public static final int OEM_ID_OFFSET = 10;
    /** Offset of OEM Table ID, 8 characters. */
    public static final int OEM_TABLE_ID_OFFSET = 16;

    /** OEMID written in every table and the RSDP. */
    public static final String OEM_ID = "JVMM";
    /** Creator ID: the tool that made the table ("ASL compiler" for a DSDT). */
    public static final String CREATOR_ID = "JVMM";
    /** OEM Revision written in every table. */
    public static final int OEM_REVISION = 1;
    /** Creator Revision written in every table. */
    public static final int CREATOR_REVISION = 1;

    private Sdt() {
    }

    /**
     * The whole table: header for {@code signature} and {@code revision}, then {@code body}, with
     * Length and Checksum filled in. The OEM Table ID is "JVMM" followed by the signature, so each
     * table's is distinct.
     *
     * @param signature the 4-character table signature, ASCII ("FACP", "APIC", ...)
     * @param revision  the table's revision, written as a u8 (its low 8 bits)
     * @param body      the bytes after the header
     * @return the {@code 36 + body.length} bytes of the table
     * @throws IllegalArgumentException when {@code signature} is not 4 characters
     */
    public static byte[] table(String signature, int revision, byte[] body) {
        if (signature.length() != 4) {
            throw new IllegalArgumentException("table signature '" + signature + "' is not 4 characters");
        }
        LeBuffer b = new LeBuffer(HEADER_SIZE + body.length);
        b.ascii(signature, 4)
            .u32(HEADER_SIZE + body.length)
            .u8(revision)
            .u8(0) // checksum, filled below
            .ascii(OEM_ID, 6)
            .ascii(OEM_ID + signature, 8)
            .u32(OEM_REVISION)
            .ascii(CREATOR_ID, 4)
            .u32(CREATOR_REVISION)
            .bytes(body);
        byte[] out = b.toArray();
        out[CHECKSUM_OFFSET] = Checksum.of(out, 0, out.length);
        return out;
    }
}
