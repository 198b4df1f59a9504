package io.jvmm.x86.acpi;

/**
 * The compressed EISA ID of a PNP identifier such as {@code PNP0501} (ACPI 6.4, section 19.6.35
 * "EISAID (EISA ID String To Integer Conversion Macro)"): three upper-case letters, each stored
 * as 5 bits ({@code c - 0x40}), then four hex digits of product number, packed big-endian into
 * 32 bits; the DWORD is then stored in memory in that big-endian byte order, so read as a
 * little-endian AML integer its bytes are swapped. {@code PNP0501} is 0x0105D041.
 */
public final class EisaId {
    private EisaId() {
    }

    /**
     * Whether {@code id} has the form EISAID accepts: "UUUXXXX", U = A-Z, X = hex digit.
     *
     * @param id the identifier to test
     * @return true for exactly three upper-case letters followed by four upper-case hex digits
     * @throws NullPointerException when {@code id} is null
     */
    public static boolean isEisaId(String id) {
        return id.matches("[A-Z]{3}[0-9A-F]{4}");
    }

    /**
     * The 32-bit integer value the AML holds for {@code id}.
     *
     * @param id a "UUUXXXX" PNP identifier such as {@code PNP0501}
     * @return the compressed ID, byte-swapped as the class comment says: 0x0105D041 for {@code PNP0501}
     * @throws IllegalArgumentException when {@code id} is not "UUUXXXX"
     */
    public static int encode(String id) {
        if (!isEisaId(id)) {
            throw new IllegalArgumentException("EISA ID '" + id + "' is not three letters A-Z and four hex digits");
        }
        int value = (id.charAt(0) - 0x40) << 26
            | (id.charAt(1) - 0x40) << 21
            | (id.charAt(2) - 0x40) << 16
            | Integer.parseInt(id.substring(3), 16);
        return Integer.reverseBytes(value);
    }
}
