package io.jvmm.x86.acpi;

/**
 * PkgLength encoding (ACPI 6.4, section 20.2.4 "Package Length Encoding"). The encoded value counts
 * the PkgLength bytes themselves plus the body that follows them, so the encoder must pick the
 * number of bytes first and add it to the body length:
 *
 * <ul>
 *   <li>1 byte: bits 7..6 = 0, bits 5..0 = the length (at most 63);
 *   <li>2..4 bytes: bits 7..6 of the lead byte = the number of bytes that follow (1..3), bits 5..4
 *       reserved zero, bits 3..0 = the least significant nibble; each following byte holds the
 *       next 8 bits. Four bytes reach 2^28 - 1.
 * </ul>
 */
public final class PkgLength {
    /** The largest value a 4-byte PkgLength holds (28 bits). */
    public static final int MAX = (1 << 28) - 1;

    private PkgLength() {
    }

    /**
     * The PkgLength bytes for a body of {@code bodyLength} bytes: the shortest encoding whose value
     * (body + its own length) fits.
     *
     * @param bodyLength bytes that follow the PkgLength, 0..{@link #MAX} - 4
     * @return 1 to 4 bytes, to be placed right after the opcode
     * @throws IllegalArgumentException when the body is negative or too long for 4 bytes
     */
    public static byte[] encode(int bodyLength) {
        if (bodyLength < 0) {
            throw new IllegalArgumentException("negative AML package body length " + bodyLength);
        }
        if (bodyLength + 1 <= 0x3f) {
            return new byte[] {(byte) (bodyLength + 1)};
        }
        for (int extra = 1; extra <= 3; extra++) {
            long total = (long) bodyLength + 1 + extra;
            // 4 bits in the lead byte plus 8 per following byte.
            if (total < (1L << (4 + 8 * extra))) {
                byte[] out = new byte[1 + extra];
                out[0] = (byte) ((extra << 6) | (total & 0x0f));
                for (int i = 1; i <= extra; i++) {
                    out[i] = (byte) (total >>> (4 + 8 * (i - 1)));
                }
                return out;
            }
        }
        throw new IllegalArgumentException(String.format(
            "AML package body of %d bytes passes the PkgLength limit of %d", bodyLength, MAX));
    }

    /** {@code opcode} (one or two bytes), the PkgLength for what follows, then {@code body}. */
    static byte[] wrap(byte[] opcode, byte[] body) {
        byte[] len = encode(body.length);
        byte[] out = new byte[opcode.length + len.length + body.length];
        System.arraycopy(opcode, 0, out, 0, opcode.length);
        System.arraycopy(len, 0, out, opcode.length, len.length);
        System.arraycopy(body, 0, out, opcode.length + len.length, body.length);
        return out;
    }
}
