package io.jvmm.x86.acpi;

import java.util.Arrays;

/**
 * One finished table and the guest-physical address it was built for (the tables point at each
 * other, so they must be written exactly there).
 *
 * @param signature "RSD PTR " for the RSDP, else the 4-character table signature
 * @param address   the guest-physical address the table was built for
 * @param bytes     the whole table, header included; copied in and out, so the record stays immutable
 */
public record AcpiTable(String signature, long address, byte[] bytes) {
    /**
     * Copies {@code bytes}.
     *
     * @param signature "RSD PTR " for the RSDP, else the 4-character table signature
     * @param address   the guest-physical address the table was built for
     * @param bytes     the whole table; the array is copied
     * @throws NullPointerException when {@code bytes} is null
     */
    public AcpiTable {
        bytes = bytes.clone();
    }

    /** {@return a copy of the table's bytes} */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** {@return the table's length in bytes} */
    public int length() {
        return bytes.length;
    }

    /** {@return the guest-physical address one past the table's last byte, {@code address + length()}} */
    public long end() {
        return address + bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AcpiTable t && t.signature.equals(signature) && t.address == address
            && Arrays.equals(t.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * signature.hashCode() + Long.hashCode(address)) + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return String.format("AcpiTable[%s at 0x%x, %d bytes]", signature.trim(), address, bytes.length);
    }
}
