package io.jvmm.x86.acpi;

/**
 * ACPI checksums (ACPI 6.4, section 5.2.5.3 for the RSDP, 5.2.6 for table headers, 6.4.2.9 for the
 * resource End Tag): one byte chosen so that the covered bytes, the checksum included, sum to 0
 * modulo 256.
 */
public final class Checksum {
    private Checksum() {
    }

    /**
     * The byte that makes {@code bytes[from, to)} plus itself sum to 0 mod 256: what goes in a
     * table's Checksum field while that field holds 0.
     *
     * @param bytes the bytes to cover
     * @param from  index of the first covered byte
     * @param to    index one past the last covered byte; {@code from >= to} covers nothing
     * @return {@code -sum(bytes, from, to)} as a byte
     * @throws ArrayIndexOutOfBoundsException when the covered range leaves {@code bytes}
     */
    public static byte of(byte[] bytes, int from, int to) {
        return (byte) -sum(bytes, from, to);
    }

    /**
     * The sum of {@code bytes[from, to)} modulo 256; 0 for a table whose checksum is right.
     *
     * @param bytes the bytes to add up
     * @param from  index of the first byte
     * @param to    index one past the last byte; {@code from >= to} adds nothing
     * @return the sum modulo 256, 0..255
     * @throws ArrayIndexOutOfBoundsException when the range leaves {@code bytes}
     */
    public static int sum(byte[] bytes, int from, int to) {
        int s = 0;
        for (int i = from; i < to; i++) {
            s += bytes[i];
        }
        return s & 0xff;
    }
}
