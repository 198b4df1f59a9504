package io.jvmm.x86.acpi;

/**
 * The FADT's reset register (ACPI 6.4, section 4.8.3.6 "Reset Register", 5.2.9 RESET_REG and
 * RESET_VALUE): OSPM resets the machine by writing {@code value} to an 8-bit I/O port. Linux does
 * so for {@code reboot=acpi}, and tries it first on a plain reboot when the FADT sets
 * RESET_REG_SUP (arch/x86/kernel/reboot.c, BOOT_ACPI), so the machine must honour the write.
 *
 * @param port  the I/O port, 0..0xFFFF (RESET_REG: System I/O, 8 bits wide, byte access)
 * @param value the byte written to reset (RESET_VALUE), 0..0xFF
 */
public record ResetRegister(int port, int value) {
    /**
     * Port 0xCF9 with value 0x06: the PC chipset's Reset Control Register (Intel PCH datasheets;
     * what QEMU's PIIX4 and ICH9 models implement). Bit 1 selects a hard (system) reset, bit 2
     * starts it; Linux's {@code reboot=pci} writes 0x02 then 0x06 to the same port.
     *
     * @return port 0xCF9, value 0x06
     */
    public static ResetRegister pcResetControl() {
        return new ResetRegister(0xcf9, 0x06);
    }

    /**
     * Checks the fields.
     *
     * @param port  the I/O port, 0..0xFFFF
     * @param value the reset value, 0..0xFF
     * @throws IllegalArgumentException when {@code port} or {@code value} is outside its range
     */
    public ResetRegister {
        if (port < 0 || port > 0xffff) {
            throw new IllegalArgumentException(String.format("reset port 0x%x outside 0..0xffff", port));
        }
        if (value < 0 || value > 0xff) {
            throw new IllegalArgumentException(String.format("reset value 0x%x outside 0..0xff", value));
        }
    }

    GenericAddress address() {
        return GenericAddress.systemIo8(port);
    }
}
