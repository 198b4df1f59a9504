package io.jvmm.x86.acpi;

/**
 * A Generic Address Structure (ACPI 6.4, section 5.2.3.2): 12 bytes, Address Space ID
 * u8, Register Bit Width u8, Register Bit Offset u8, Access Size u8, Address u64.
 *
 * @param spaceId    Address Space ID ({@link #SYSTEM_MEMORY}, {@link #SYSTEM_IO}, ...), 0..255
 * @param bitWidth   Register Bit Width: the register's size in bits, 0..255
 * @param bitOffset  Register Bit Offset: where the register starts within the address, in bits, 0..255
 * @param accessSize Access Size: 0 undefined, 1 byte, 2 word, 3 dword, 4 qword
 * @param address    the register's address in its space (a port number for {@link #SYSTEM_IO})
 */
public record GenericAddress(int spaceId, int bitWidth, int bitOffset, int accessSize, long address) {
    /** The structure's size in bytes. */
    public static final int SIZE = 12;
    /** Address Space ID 0x00: system memory. */
    public static final int SYSTEM_MEMORY = 0;
    /** Address Space ID 0x01: system I/O ports. */
    public static final int SYSTEM_IO = 1;
    /** Access Size 1: byte access. */
    public static final int ACCESS_BYTE = 1;

    /**
     * Checks the byte fields.
     *
     * @param spaceId    Address Space ID, 0..255
     * @param bitWidth   Register Bit Width, 0..255
     * @param bitOffset  Register Bit Offset, 0..255
     * @param accessSize Access Size, 0..255
     * @param address    the register's address; any 64-bit value
     * @throws IllegalArgumentException when a byte field is outside 0..255
     */
    public GenericAddress {
        for (int v : new int[] {spaceId, bitWidth, bitOffset, accessSize}) {
            if (v < 0 || v > 0xff) {
                throw new IllegalArgumentException("Generic Address Structure byte field " + v + " outside 0..255");
            }
        }
    }

    /**
     * An 8-bit register at I/O port {@code port}, accessed as a byte.
     *
     * @param port the I/O port, 0..0xFFFF
     * @return {@link #SYSTEM_IO}, width 8, offset 0, {@link #ACCESS_BYTE}, address {@code port}
     * @throws IllegalArgumentException when {@code port} is outside 0..0xFFFF
     */
    public static GenericAddress systemIo8(int port) {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException(String.format("I/O port 0x%x outside 0..0xffff", port));
        }
        return new GenericAddress(SYSTEM_IO, 8, 0, ACCESS_BYTE, port);
    }

    /** {@return the all-zero structure, which marks a register as not supported} */
    public static GenericAddress none() {
        return new GenericAddress(0, 0, 0, 0, 0);
    }

    void writeTo(LeBuffer b) {
        b.u8(spaceId).u8(bitWidth).u8(bitOffset).u8(accessSize).u64(address);
    }
}
