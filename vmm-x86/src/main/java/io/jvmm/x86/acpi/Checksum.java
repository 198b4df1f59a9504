package io.jvmm.x86.acpi;

/**
 * ACPI checksums (ACPI 6.4, section 5.2.5.3 for the RSDP, 5.2.6 for table headers, 6.4.2.9 for the
 * resource End Tag): one byte chosen so that the covered bytes, the checksum included, sum to 0
 * modulo 256.
 */
public final class Checksum {
    private Checksum() {
    }

    /** The byte that makes {@code bytes[from, to)} plus itself sum to 0 mod 256. */
    public static byte of(byte[] bytes, int from, int to) {
        return (byte) -sum(bytes, from, to);
    }

    /** The sum of {@code bytes[from, to)} modulo 256. */
    public static int sum(byte[] bytes, int from, int to) {
        int s = 0;
        for (int i = from; i < to; i++) {
            s += bytes[i];
        }
        return s & 0xff;
    }
}
