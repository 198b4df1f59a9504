package io.jvmm.x86.acpi;

/**
 * A MADT Interrupt Source Override (ACPI 6.4, section 5.2.12.5): ISA interrupt
 * {@code source} arrives at global system interrupt {@code gsi}, with MPS INTI {@code flags}
 * (5.2.12.5 "MPS INTI Flags": bits 0..1 polarity, 01 active high, 11 active low; bits 2..3 trigger mode, 01 edge,
 * 11 level; 0 in either means "conforms to the bus", which for ISA is edge/high).
 *
 * @param source the ISA IRQ (Source), 0..15; the Bus is always 0, ISA
 * @param gsi    the global system interrupt it is delivered on, 0..2^32-1
 * @param flags  the MPS INTI flags, 0..0xFFFF
 */
public record InterruptOverride(int source, long gsi, int flags) {
    /** MPS INTI flags: active high (bits 0..1 = 01), edge triggered (bits 2..3 = 01). */
    public static final int EDGE_ACTIVE_HIGH = 0x0005;
    /** MPS INTI flags: active high, level triggered (bits 2..3 = 11). */
    public static final int LEVEL_ACTIVE_HIGH = 0x000d;

    /**
     * Checks the fields.
     *
     * @param source the ISA IRQ, 0..15
     * @param gsi    the global system interrupt, 0..2^32-1
     * @param flags  the MPS INTI flags, 0..0xFFFF
     * @throws IllegalArgumentException when a value is outside its range
     */
    public InterruptOverride {
        if (source < 0 || source > 15) {
            throw new IllegalArgumentException("ISA interrupt " + source + " outside 0..15");
        }
        if (gsi < 0 || gsi > 0xffff_ffffL) {
            throw new IllegalArgumentException("global system interrupt " + gsi + " outside 0..2^32-1");
        }
        if (flags < 0 || flags > 0xffff) {
            throw new IllegalArgumentException(String.format("MPS INTI flags 0x%x outside 16 bits", flags));
        }
    }

    /**
     * ISA IRQ 0 (the i8254 timer) on GSI 2, edge-triggered and active-high: the PC convention that
     * QEMU's in-kernel-irqchip machines describe (and route: QEMU sends GSI 0 to IOAPIC pin 2 with
     * KVM_SET_GSI_ROUTING). The flags are spelled out rather than "conforming" because Linux
     * (arch/x86/kernel/acpi/boot.c, acpi_parse_int_src_ovr) treats an override whose source equals
     * the FADT's SCI_INT as the SCI's, and a hardware-reduced FADT leaves SCI_INT at 0; spelled out,
     * IRQ 0 ends up edge/high on either path.
     *
     * @return the override of ISA IRQ 0 to GSI 2 with {@link #EDGE_ACTIVE_HIGH}
     */
    public static InterruptOverride isaTimerToGsi2() {
        return new InterruptOverride(0, 2, EDGE_ACTIVE_HIGH);
    }
}
