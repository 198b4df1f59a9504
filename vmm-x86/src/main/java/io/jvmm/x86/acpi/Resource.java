package io.jvmm.x86.acpi;

/**
 * Resource data descriptors for a {@code _CRS} buffer (ACPI 6.4, section 6.4 "Resource Data
 * Types for ACPI"). Small descriptors (6.4.2) start with a tag byte {@code 0 tttt lll} (type,
 * length of what follows); large ones (6.4.3) with {@code 1 ttttttt} and a 16-bit length. Values
 * are little-endian. {@link Aml#resourceTemplate} appends the End Tag.
 */
public sealed interface Resource {
    /** {@return the descriptor's bytes, tag included, as they go in the _CRS buffer; a fresh array} */
    byte[] encode();

    /**
     * I/O Port Descriptor (6.4.2.5), small type 0x08, 7 bytes after the tag (tag byte 0x47).
     * Decodes all 16 address bits (ASL {@code Decode16}), as ISA devices on a PC do.
     *
     * @param minBase   Range Minimum Base: the lowest base address, 0..0xFFFF
     * @param maxBase   Range Maximum Base: the highest base address, {@code minBase}..0xFFFF
     * @param alignment Base Alignment in bytes, 0..0xFF
     * @param length    Range Length: the number of contiguous ports, 0..0xFF
     */
    record Io(int minBase, int maxBase, int alignment, int length) implements Resource {
        /**
         * Checks the fields.
         *
         * @param minBase   the lowest base address
         * @param maxBase   the highest base address
         * @param alignment the base alignment
         * @param length    the number of ports
         * @throws IllegalArgumentException when a field is outside its range or {@code maxBase < minBase}
         */
        public Io {
            checkRange("I/O minimum base", minBase, 0xffff);
            checkRange("I/O maximum base", maxBase, 0xffff);
            checkRange("I/O alignment", alignment, 0xff);
            checkRange("I/O length", length, 0xff);
            if (maxBase < minBase) {
                throw new IllegalArgumentException(String.format(
                    "I/O maximum base 0x%x below minimum 0x%x", maxBase, minBase));
            }
        }

        /**
         * A fixed range of {@code length} ports at {@code base} (minimum = maximum, alignment 1).
         *
         * @param base   the first port, 0..0xFFFF
         * @param length the number of ports, 0..0xFF
         * @return the descriptor
         * @throws IllegalArgumentException when {@code base} or {@code length} is outside its range
         */
        public static Io fixed(int base, int length) {
            return new Io(base, base, 1, length);
        }

        @Override
        public byte[] encode() {
            return new byte[] {
                0x47, 0x01, // tag; information: bit 0 = 16-bit decode
                (byte) minBase, (byte) (minBase >>> 8),
                (byte) maxBase, (byte) (maxBase >>> 8),
                (byte) alignment, (byte) length,
            };
        }
    }

    /**
     * IRQ Descriptor (6.4.2.1) for ISA interrupts 0..15. Edge-triggered, active-high, exclusive is
     * the ISA default and encodes as the 2-byte form (tag 0x22, ASL {@code IRQNoFlags}); any other
     * mode needs the information byte (tag 0x23).
     *
     * @param irq            the ISA IRQ, 0..15 (one bit of the IRQ mask)
     * @param levelTriggered level-triggered ({@code _HE} = 0) rather than edge-triggered
     * @param activeLow      active-low ({@code _LL} = 1) rather than active-high
     * @param shared         shared with other devices ({@code _SHR} = 1) rather than exclusive
     */
    record Irq(int irq, boolean levelTriggered, boolean activeLow, boolean shared) implements Resource {
        /**
         * Checks the IRQ number.
         *
         * @param irq            the ISA IRQ
         * @param levelTriggered level- rather than edge-triggered
         * @param activeLow      active-low rather than active-high
         * @param shared         shared rather than exclusive
         * @throws IllegalArgumentException when {@code irq} is outside 0..15
         */
        public Irq {
            checkRange("ISA IRQ", irq, 15);
        }

        /**
         * Edge-triggered, active-high, exclusive: what ISA devices (COM1, i8042, RTC) raise.
         *
         * @param irq the ISA IRQ, 0..15
         * @return the descriptor, which encodes in the 2-byte form
         * @throws IllegalArgumentException when {@code irq} is outside 0..15
         */
        public static Irq isa(int irq) {
            return new Irq(irq, false, false, false);
        }

        @Override
        public byte[] encode() {
            int mask = 1 << irq;
            if (!levelTriggered && !activeLow && !shared) {
                return new byte[] {0x22, (byte) mask, (byte) (mask >>> 8)};
            }
            // Information byte: bit 0 _HE (1 = edge), bit 3 _LL (1 = active low), bit 4 _SHR.
            int info = (levelTriggered ? 0 : 0x01) | (activeLow ? 0x08 : 0) | (shared ? 0x10 : 0);
            return new byte[] {0x23, (byte) mask, (byte) (mask >>> 8), (byte) info};
        }
    }

    /**
     * 32-Bit Fixed Memory Range Descriptor (6.4.3.4), large type 0x06 (tag 0x86), 9 bytes after the
     * length: information (bit 0 = read/write), base, length.
     *
     * @param base     Range Base Address, 0..0xFFFF_FFFF
     * @param length   Range Length in bytes, 0..0xFFFF_FFFF; {@code base + length} at most 4 GiB
     * @param writable read/write (information bit 0 = 1) rather than read-only
     */
    record Memory32Fixed(long base, long length, boolean writable) implements Resource {
        /**
         * Checks the range.
         *
         * @param base     the base address
         * @param length   the length in bytes
         * @param writable read/write rather than read-only
         * @throws IllegalArgumentException when {@code base} or {@code length} does not fit in 32 bits, or the
         *     range passes 4 GiB
         */
        public Memory32Fixed {
            checkRange("memory base", base, 0xffff_ffffL);
            checkRange("memory length", length, 0xffff_ffffL);
            if (base + length > 0x1_0000_0000L) {
                throw new IllegalArgumentException(String.format(
                    "memory range 0x%x + 0x%x passes 4 GiB", base, length));
            }
        }

        @Override
        public byte[] encode() {
            LeBuffer b = new LeBuffer(12);
            b.u8(0x86).u16(9).u8(writable ? 1 : 0).u32(base).u32(length);
            return b.toArray();
        }
    }

    /**
     * Extended Interrupt Descriptor (6.4.3.6), large type 0x09 (tag 0x89), for any global system
     * interrupt (GSI): flags, a table length, then the 32-bit interrupt numbers. No resource source
     * (the interrupts are the platform's own). jvmm's virtio-mmio interrupts are edge-triggered
     * and active-high, as KVM injects them (a pulse through KVM_IRQ_LINE or an irqfd).
     *
     * @param gsi            the interrupt number, 0..0xFFFF_FFFF
     * @param levelTriggered level-triggered ({@code _HE} = 0) rather than edge-triggered
     * @param activeLow      active-low ({@code _LL} = 1) rather than active-high
     * @param shared         shared with other devices ({@code _SHR} = 1) rather than exclusive
     */
    record ExtendedInterrupt(long gsi, boolean levelTriggered, boolean activeLow, boolean shared)
            implements Resource {
        /**
         * Checks the interrupt number.
         *
         * @param gsi            the interrupt number
         * @param levelTriggered level- rather than edge-triggered
         * @param activeLow      active-low rather than active-high
         * @param shared         shared rather than exclusive
         * @throws IllegalArgumentException when {@code gsi} does not fit in 32 bits
         */
        public ExtendedInterrupt {
            checkRange("interrupt number", gsi, 0xffff_ffffL);
        }

        /**
         * A consumer, edge-triggered, active-high, exclusive interrupt.
         *
         * @param gsi the interrupt number, 0..0xFFFF_FFFF
         * @return the descriptor
         * @throws IllegalArgumentException when {@code gsi} does not fit in 32 bits
         */
        public static ExtendedInterrupt edge(long gsi) {
            return new ExtendedInterrupt(gsi, false, false, false);
        }

        @Override
        public byte[] encode() {
            // Flags: bit 0 consumer, bit 1 _HE (1 = edge), bit 2 _LL (1 = active low), bit 3 _SHR.
            int flags = 0x01 | (levelTriggered ? 0 : 0x02) | (activeLow ? 0x04 : 0) | (shared ? 0x08 : 0);
            LeBuffer b = new LeBuffer(9);
            b.u8(0x89).u16(6).u8(flags).u8(1).u32(gsi);
            return b.toArray();
        }
    }

    private static void checkRange(String what, long value, long max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(String.format("%s 0x%x outside 0..0x%x", what, value, max));
        }
    }
}
