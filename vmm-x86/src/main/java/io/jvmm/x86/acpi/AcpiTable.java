package io.jvmm.x86.acpi;

import java.util.Arrays;

/**
 * One finished table and the guest-physical address it was built for (the tables point at each
 * other, so they must be written exactly there).
 *
 * @param signature "RSD PTR " for the RSDP, else the 4-character table signature
 */
public record AcpiTable(String signature, long address, byte[] bytes) {
    public AcpiTable {
        bytes = bytes.clone();
    }

    /** A copy of the table's bytes. */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    public int length() {
        return bytes.length;
    }

    /** One past the last byte. */
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
