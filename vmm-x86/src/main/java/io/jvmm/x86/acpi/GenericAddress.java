package io.jvmm.x86.acpi;

/**
 * A Generic Address Structure (ACPI 6.4, section 5.2.3.2): 12 bytes, Address Space ID
 * u8, Register Bit Width u8, Register Bit Offset u8, Access Size u8, Address u64.
 */
public record GenericAddress(int spaceId, int bitWidth, int bitOffset, int accessSize, long address) {
    public static final int SIZE = 12;
    /** Address Space ID 0x00: system memory. */
    public static final int SYSTEM_MEMORY = 0;
    /** Address Space ID 0x01: system I/O ports. */
    public static final int SYSTEM_IO = 1;
    /** Access Size 1: byte access. */
    public static final int ACCESS_BYTE = 1;

    public GenericAddress {
        for (int v : new int[] {spaceId, bitWidth, bitOffset, accessSize}) {
            if (v < 0 || v > 0xff) {
                throw new IllegalArgumentException("Generic Address Structure byte field " + v + " outside 0..255");
            }
        }
    }

    /** An 8-bit register at I/O port {@code port}, accessed as a byte. */
    public static GenericAddress systemIo8(int port) {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException(String.format("I/O port 0x%x outside 0..0xffff", port));
        }
        return new GenericAddress(SYSTEM_IO, 8, 0, ACCESS_BYTE, port);
    }

    /** The all-zero structure: "not supported". */
    public static GenericAddress none() {
        return new GenericAddress(0, 0, 0, 0, 0);
    }

    void writeTo(LeBuffer b) {
        b.u8(spaceId).u8(bitWidth).u8(bitOffset).u8(accessSize).u64(address);
    }
}
