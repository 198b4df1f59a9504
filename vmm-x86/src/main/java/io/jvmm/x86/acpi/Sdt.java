package io.jvmm.x86.acpi;

/**
 * The System Description Table Header every table but the RSDP starts with (ACPI 6.4, section
 * 5.2.6): Signature[4], Length u32, Revision u8, Checksum u8, OEMID[6], OEM Table ID[8],
 * OEM Revision u32, Creator ID[4], Creator Revision u32; 36 bytes. The checksum covers the whole
 * table ({@code Length} bytes).
 */
public final class Sdt {
    public static final int HEADER_SIZE = 36;
    /** Offsets inside the header. */
    public static final int LENGTH_OFFSET = 4;
    public static final int REVISION_OFFSET = 8;
    public static final int CHECKSUM_OFFSET = 9;
    public static final int OEM_ID_OFFSET = 10;
    public static final int OEM_TABLE_ID_OFFSET = 16;

    /** OEMID written in every table and the RSDP. */
    public static final String OEM_ID = "JVMM";
    /** Creator ID: the tool that made the table ("ASL compiler" for a DSDT). */
    public static final String CREATOR_ID = "JVMM";
    public static final int OEM_REVISION = 1;
    public static final int CREATOR_REVISION = 1;

    private Sdt() {
    }

    /**
     * The whole table: header for {@code signature} and {@code revision}, then {@code body}, with
     * Length and Checksum filled in. The OEM Table ID is "JVMM" followed by the signature, so each
     * table's is distinct.
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
